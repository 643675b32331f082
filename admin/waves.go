package admin

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/surveybot/surveybot/internal/jsonapi"
	"github.com/surveybot/surveybot/survey"
	"github.com/surveybot/surveybot/waves"
)

// listWaves answers every key: chambers plan their campaigns by them.
func (a *API) listWaves(w http.ResponseWriter, r *http.Request, _ survey.Principal) {
	list, err := a.db.Waves(r.Context())
	if err != nil {
		a.log.Error("list waves", slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	if list == nil {
		list = []survey.Wave{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"waves": list})
}

func (a *API) addWave(w http.ResponseWriter, r *http.Request, _ survey.Principal) {
	var spec waves.Spec
	if !jsonapi.Read(w, r, 4096, &spec, `the body must be {"name": "2027-1", "start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`) {
		return
	}
	wave, err := waves.Add(r.Context(), a.db, a.q, spec, time.Now())
	var bad *waves.Invalid
	if errors.As(err, &bad) {
		jsonapi.ErrorField(w, http.StatusBadRequest, bad.Field, bad.Error())
		return
	}
	if err != nil {
		a.log.Error("add wave", slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	jsonapi.Write(w, http.StatusCreated, wave)
}
