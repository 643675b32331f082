package admin

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/surveybot/surveybot/indicators"
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

// change returns the disclosure-controlled change of every field between
// two waves (?from=&to=, by default the current wave and the one before
// it), on the panel and on all respondents.
func (a *API) change(w http.ResponseWriter, r *http.Request, _ survey.Principal) {
	c, err := waves.Changes(r.Context(), a.db, a.q.Ref(), r.URL.Query().Get("from"), r.URL.Query().Get("to"), time.Now())
	var bad *waves.Invalid
	if errors.As(err, &bad) {
		jsonapi.ErrorField(w, http.StatusBadRequest, bad.Field, bad.Error())
		return
	}
	if err != nil {
		a.log.Error("change between waves", slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	type row struct {
		Field      string   `json:"field"`
		Basis      string   `json:"basis"` // panel or all
		NFrom      *int     `json:"n_from,omitempty"`
		NTo        *int     `json:"n_to,omitempty"`
		NPanel     *int     `json:"n_panel,omitempty"`
		MeanFrom   *float64 `json:"mean_from,omitempty"`
		MeanTo     *float64 `json:"mean_to,omitempty"`
		Change     *float64 `json:"change,omitempty"`
		Suppressed string   `json:"suppressed,omitempty"` // why it is not shown
	}
	rows := make([]row, 0, len(c.Rows))
	for _, ch := range c.Rows {
		out := row{Field: ch.Field, Basis: ch.Basis, Suppressed: ch.Suppressed}
		if ch.Suppressed == "" {
			nf, nt, mf, mt, d := ch.NFrom, ch.NTo, ch.MeanFrom, ch.MeanTo, ch.Change
			out.NFrom, out.NTo, out.MeanFrom, out.MeanTo, out.Change = &nf, &nt, &mf, &mt, &d
			if ch.Basis == indicators.BasisPanel {
				np := ch.NPanel
				out.NPanel = &np
			}
		}
		rows = append(rows, out)
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"from": c.From.Name, "to": c.To.Name, "changes": rows})
}
