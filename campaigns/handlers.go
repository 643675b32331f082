package campaigns

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/internal/jsonapi"
	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// The largest bodies the member and campaign routes read: a member list
// of tens of thousands of rows fits in 10 MiB; a campaign is a few lines.
const (
	maxMemberList = 10 << 20
	maxJSONBody   = 64 << 10
)

// Auth admits a request of the admin API: it checks the request's API key
// and calls the handler with who the key speaks for.
type Auth func(func(http.ResponseWriter, *http.Request, survey.Principal)) http.Handler

// RegisterAPI mounts the admin API's member list and campaign routes
// (docs/openapi.yaml) on mux, each behind auth. Every one goes through a
// Service method, which keeps a chamber's key to its own chamber.
func (a *Service) RegisterAPI(mux interface{ Handle(string, http.Handler) }, auth Auth) {
	mux.Handle("POST /api/v1/members", auth(a.importMembers))
	mux.Handle("GET /api/v1/members", auth(a.listMembers))
	mux.Handle("POST /api/v1/campaigns", auth(a.createCampaign))
	mux.Handle("GET /api/v1/campaigns", auth(a.listCampaigns))
	mux.Handle("GET /api/v1/campaigns/{id}", auth(a.campaignStats))
	mux.Handle("POST /api/v1/campaigns/{id}/launch", auth(a.launchCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/pause", auth(a.pauseCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/resume", auth(a.resumeCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/remind", auth(a.remindCampaign))
}

// importMembers reads a member list sent as the body (CSV, as Excel
// writes it) into the key's chamber, or for the operator into ?chamber=.
func (a *Service) importMembers(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		jsonapi.Error(w, http.StatusUnsupportedMediaType, "send the CSV file itself as the body (Content-Type: text/csv), not as a form upload")
		return
	}
	skipBad := false
	if v := r.URL.Query().Get("skip_bad"); v != "" {
		var err error
		if skipBad, err = strconv.ParseBool(v); err != nil {
			jsonapi.Error(w, http.StatusBadRequest, "skip_bad must be true or false")
			return
		}
	}
	chamber := r.URL.Query().Get("chamber")
	// Whom the list is for is settled before the file is read, so that a
	// key naming another chamber learns nothing from its file's errors.
	if _, err := a.chamberFor(r.Context(), p, chamber); err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	// The whole list is read first: a list too large is refused before
	// anything is parsed or stored.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMemberList))
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	// A file that is no member list is the sender's mistake (400); Parse
	// tells it apart from bad rows, which ImportMembers reports itself.
	if _, _, err := members.Parse(bytes.NewReader(body)); err != nil {
		jsonapi.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := a.ImportMembers(r.Context(), p, chamber, bytes.NewReader(body), skipBad)
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	if res.Skipped == nil {
		res.Skipped = []members.RowError{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"created": res.Created, "updated": res.Updated, "skipped": res.Skipped})
}

// listMembers lists the key's chamber's members, or for the operator
// those of ?chamber=.
func (a *Service) listMembers(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	ms, err := a.Members(r.Context(), p, r.URL.Query().Get("chamber"))
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	if ms == nil {
		ms = []survey.Member{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"members": ms})
}

// createCampaign stores a campaign as a draft. A chamber's key creates
// its own chamber's; the operator names the chamber in the body or in
// ?chamber=.
func (a *Service) createCampaign(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	var spec Spec
	if !jsonapi.Read(w, r, maxJSONBody, &spec, "the body must be one campaign as JSON (docs/openapi.yaml, Spec)") {
		return
	}
	if spec.Chamber == "" {
		spec.Chamber = r.URL.Query().Get("chamber")
	}
	camp, err := a.Create(r.Context(), p, spec)
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	ws, err := a.Warnings(r.Context(), p, camp.ID)
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	w.Header().Set("Location", "/api/v1/campaigns/"+camp.ID)
	jsonapi.Write(w, http.StatusCreated, struct {
		survey.Campaign
		Warnings []Warning `json:"warnings"`
	}{camp, nonNil(ws)})
}

// listCampaigns lists the key's chamber's campaigns; the operator's, all.
func (a *Service) listCampaigns(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	camps, err := a.List(r.Context(), p)
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	if camps == nil {
		camps = []survey.Campaign{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"campaigns": camps})
}

// campaignStats returns a campaign and how it goes.
func (a *Service) campaignStats(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	st, err := a.Stats(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	jsonapi.Write(w, http.StatusOK, st)
}

func (a *Service) launchCampaign(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	res, err := a.Launch(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.answerError(w, r, p, err, "only a draft or running campaign before its end can be launched")
		return
	}
	ws, err := a.Warnings(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.answerError(w, r, p, err, "")
		return
	}
	jsonapi.Write(w, http.StatusOK, struct {
		survey.LaunchResult
		Warnings []Warning `json:"warnings"`
	}{res, nonNil(ws)})
}

func (a *Service) pauseCampaign(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	if err := a.Pause(r.Context(), p, r.PathValue("id")); err != nil {
		a.answerError(w, r, p, err, "only a running campaign can be paused")
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]string{"status": string(survey.CampaignPaused)})
}

func (a *Service) resumeCampaign(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	n, err := a.Resume(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.answerError(w, r, p, err, "only a paused campaign can be resumed")
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]int{"queued": n})
}

func (a *Service) remindCampaign(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	force := false
	if v := r.URL.Query().Get("force"); v != "" {
		var err error
		if force, err = strconv.ParseBool(v); err != nil {
			jsonapi.Error(w, http.StatusBadRequest, "force must be true or false")
			return
		}
	}
	n, err := a.Remind(r.Context(), p, r.PathValue("id"), force)
	if err != nil {
		a.answerError(w, r, p, err, "only a running campaign sends reminders")
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]int{"queued": n})
}

// answerError answers with the status an error of the member and
// campaign routes calls for. state says which statuses the action needs,
// for ErrCampaignState.
func (a *Service) answerError(w http.ResponseWriter, r *http.Request, p survey.Principal, err error, state string) {
	var (
		badRows  *BadRowsError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		jsonapi.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit))
	case errors.As(err, &badRows):
		jsonapi.Write(w, http.StatusUnprocessableEntity, map[string]any{"error": ErrBadRows.Error(), "rows": badRows.Rows})
	case errors.Is(err, store.ErrDuplicateMember):
		jsonapi.Error(w, http.StatusUnprocessableEntity, err.Error()+"; nothing was imported")
	case errors.Is(err, ErrNoChamber) && !p.Operator():
		// As for /api/v1/responses: naming another chamber is forbidden.
		jsonapi.Error(w, http.StatusForbidden, "a chamber's key acts only for its own chamber")
	case errors.Is(err, ErrNoChamber):
		jsonapi.Error(w, http.StatusBadRequest, err.Error()+"; the operator names it with ?chamber=CODE")
	case errors.Is(err, ErrInvalidCampaign):
		jsonapi.Error(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, survey.ErrNotFound):
		// Another chamber's campaign too: a key cannot tell it exists.
		jsonapi.Error(w, http.StatusNotFound, "no such campaign")
	case errors.Is(err, ErrTooEarly):
		jsonapi.Error(w, http.StatusConflict, strings.Replace(err.Error(), "with force", "with ?force=true", 1))
	case errors.Is(err, survey.ErrCampaignState):
		jsonapi.Error(w, http.StatusConflict, err.Error()+"; "+state)
	default:
		a.log.Error("admin API", slog.String("route", r.Pattern), slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
	}
}

// nonNil makes an empty list [] in JSON, not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
