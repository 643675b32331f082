package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/store"
)

// The largest bodies the member and campaign routes read: a member list
// of tens of thousands of rows fits in 10 MiB; a campaign is a few lines.
const (
	maxMemberList = 10 << 20
	maxJSONBody   = 64 << 10
)

// registerCampaigns mounts the member list and campaign routes. Every one
// goes through a *Campaigns method, which keeps a chamber's key to its own
// chamber.
func (a *AdminAPI) registerCampaigns(mux interface{ Handle(string, http.Handler) }) {
	mux.Handle("POST /api/v1/members", a.auth(a.importMembers))
	mux.Handle("GET /api/v1/members", a.auth(a.listMembers))
	mux.Handle("POST /api/v1/campaigns", a.auth(a.createCampaign))
	mux.Handle("GET /api/v1/campaigns", a.auth(a.listCampaigns))
	mux.Handle("GET /api/v1/campaigns/{id}", a.auth(a.campaignStats))
	mux.Handle("POST /api/v1/campaigns/{id}/launch", a.auth(a.launchCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/pause", a.auth(a.pauseCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/resume", a.auth(a.resumeCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/remind", a.auth(a.remindCampaign))
}

// importMembers reads a member list sent as the body (CSV, as Excel
// writes it) into the key's chamber, or for the operator into ?chamber=.
func (a *AdminAPI) importMembers(w http.ResponseWriter, r *http.Request, p store.Principal) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		apiError(w, http.StatusUnsupportedMediaType, "send the CSV file itself as the body (Content-Type: text/csv), not as a form upload")
		return
	}
	skipBad := false
	if v := r.URL.Query().Get("skip_bad"); v != "" {
		var err error
		if skipBad, err = strconv.ParseBool(v); err != nil {
			apiError(w, http.StatusBadRequest, "skip_bad must be true or false")
			return
		}
	}
	chamber := r.URL.Query().Get("chamber")
	// Whom the list is for is settled before the file is read, so that a
	// key naming another chamber learns nothing from its file's errors.
	if _, err := a.campaigns.chamberFor(r.Context(), p, chamber); err != nil {
		a.campaignError(w, r, p, err, "")
		return
	}
	// The whole list is read first: a list too large is refused before
	// anything is parsed or stored.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMemberList))
	if err != nil {
		a.campaignError(w, r, p, err, "")
		return
	}
	// A file that is no member list is the sender's mistake (400); Parse
	// tells it apart from bad rows, which ImportMembers reports itself.
	if _, _, err := members.Parse(bytes.NewReader(body)); err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := a.campaigns.ImportMembers(r.Context(), p, chamber, bytes.NewReader(body), skipBad)
	if err != nil {
		a.campaignError(w, r, p, err, "")
		return
	}
	if res.Skipped == nil {
		res.Skipped = []members.RowError{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": res.Created, "updated": res.Updated, "skipped": res.Skipped})
}

// listMembers lists the key's chamber's members, or for the operator
// those of ?chamber=.
func (a *AdminAPI) listMembers(w http.ResponseWriter, r *http.Request, p store.Principal) {
	ms, err := a.campaigns.Members(r.Context(), p, r.URL.Query().Get("chamber"))
	if err != nil {
		a.campaignError(w, r, p, err, "")
		return
	}
	if ms == nil {
		ms = []store.Member{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": ms})
}

// createCampaign stores a campaign as a draft. A chamber's key creates
// its own chamber's; the operator names the chamber in the body or in
// ?chamber=.
func (a *AdminAPI) createCampaign(w http.ResponseWriter, r *http.Request, p store.Principal) {
	var spec CampaignSpec
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			a.campaignError(w, r, p, err, "")
			return
		}
		apiError(w, http.StatusBadRequest, "the body must be a campaign as JSON (docs/openapi.yaml, CampaignSpec): "+err.Error())
		return
	}
	if dec.More() {
		apiError(w, http.StatusBadRequest, "the body must be one campaign as JSON, and nothing after it")
		return
	}
	if spec.Chamber == "" {
		spec.Chamber = r.URL.Query().Get("chamber")
	}
	camp, err := a.campaigns.Create(r.Context(), p, spec)
	if err != nil {
		a.campaignError(w, r, p, err, "")
		return
	}
	w.Header().Set("Location", "/api/v1/campaigns/"+camp.ID)
	writeJSON(w, http.StatusCreated, camp)
}

// listCampaigns lists the key's chamber's campaigns; the operator's, all.
func (a *AdminAPI) listCampaigns(w http.ResponseWriter, r *http.Request, p store.Principal) {
	camps, err := a.campaigns.List(r.Context(), p)
	if err != nil {
		a.campaignError(w, r, p, err, "")
		return
	}
	if camps == nil {
		camps = []store.Campaign{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": camps})
}

// campaignStats returns a campaign and how it goes.
func (a *AdminAPI) campaignStats(w http.ResponseWriter, r *http.Request, p store.Principal) {
	st, err := a.campaigns.Stats(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.campaignError(w, r, p, err, "")
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (a *AdminAPI) launchCampaign(w http.ResponseWriter, r *http.Request, p store.Principal) {
	res, err := a.campaigns.Launch(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.campaignError(w, r, p, err, "only a draft or running campaign before its end can be launched")
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *AdminAPI) pauseCampaign(w http.ResponseWriter, r *http.Request, p store.Principal) {
	if err := a.campaigns.Pause(r.Context(), p, r.PathValue("id")); err != nil {
		a.campaignError(w, r, p, err, "only a running campaign can be paused")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": string(store.CampaignPaused)})
}

func (a *AdminAPI) resumeCampaign(w http.ResponseWriter, r *http.Request, p store.Principal) {
	n, err := a.campaigns.Resume(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.campaignError(w, r, p, err, "only a paused campaign can be resumed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"queued": n})
}

func (a *AdminAPI) remindCampaign(w http.ResponseWriter, r *http.Request, p store.Principal) {
	n, err := a.campaigns.Remind(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.campaignError(w, r, p, err, "only a running campaign sends reminders")
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"queued": n})
}

// campaignError answers with the status an error of the member and
// campaign routes calls for. state says which statuses the action needs,
// for ErrCampaignState.
func (a *AdminAPI) campaignError(w http.ResponseWriter, r *http.Request, p store.Principal, err error, state string) {
	var (
		badRows  *BadRowsError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		apiError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit))
	case errors.As(err, &badRows):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": ErrBadRows.Error(), "rows": badRows.Rows})
	case errors.Is(err, store.ErrDuplicateMember):
		apiError(w, http.StatusUnprocessableEntity, err.Error()+"; nothing was imported")
	case errors.Is(err, ErrNoChamber) && !p.Operator():
		// As for /api/v1/responses: naming another chamber is forbidden.
		apiError(w, http.StatusForbidden, "a chamber's key acts only for its own chamber")
	case errors.Is(err, ErrNoChamber):
		apiError(w, http.StatusBadRequest, err.Error()+"; the operator names it with ?chamber=CODE")
	case errors.Is(err, ErrInvalidCampaign):
		apiError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, store.ErrNotFound):
		// Another chamber's campaign too: a key cannot tell it exists.
		apiError(w, http.StatusNotFound, "no such campaign")
	case errors.Is(err, store.ErrCampaignState):
		apiError(w, http.StatusConflict, err.Error()+"; "+state)
	default:
		a.log.Error("admin API", slog.String("route", r.Pattern), slog.Any("error", err))
		apiError(w, http.StatusInternalServerError, "internal error")
	}
}
