// Package admin is the JSON API for chambers and the operator
// (docs/openapi.yaml): digest subscribers, responses, aggregates, and the
// member list and campaign routes of package campaigns, all behind API keys.
package admin

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/internal/jsonapi"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
	"github.com/surveybot/surveybot/waves"
)

// Store is what the admin API needs of the database.
type Store interface {
	PrincipalByKey(ctx context.Context, key string) (survey.Principal, error)
	Subscribers(ctx context.Context) ([]survey.Subscriber, error)
	AddSubscriber(ctx context.Context, s survey.Subscriber) error
	RemoveSubscriber(ctx context.Context, s survey.Subscriber) error
	EachCompleted(ctx context.Context, f store.CompletedFilter, fn func(store.CompletedResponse) error) error
	Wave(ctx context.Context, idOrName string) (survey.Wave, error)
	waves.Store
	waves.ChangeStore
}

// API is the JSON API for chambers and the operator, authenticated by API
// key: a chamber's key sees only its own members' responses; the
// operator's key sees everything.
type API struct {
	db        Store
	q         *dialogs.Questionnaire
	log       *slog.Logger
	campaigns *campaigns.Service // member lists and campaigns; nil: not served
}

// Config is what the API serves.
type Config struct {
	DB            Store
	Questionnaire *dialogs.Questionnaire // what new responses answer
	// Campaigns serves chambers' member lists and campaigns; nil: those
	// routes are not mounted.
	Campaigns *campaigns.Service
	Log       *slog.Logger
}

// New returns the admin API.
func New(cfg Config) *API {
	return &API{db: cfg.DB, q: cfg.Questionnaire, log: cfg.Log, campaigns: cfg.Campaigns}
}

// Register mounts the API under /api/: its routes under /api/v1/, and for
// every other path or method under /api/ a JSON error, as for every other
// error of the API.
func (a *API) Register(mux interface{ Handle(string, http.Handler) }) {
	api := http.NewServeMux()
	if a.campaigns != nil {
		a.campaigns.RegisterAPI(api, a.auth)
	}
	api.Handle("GET /api/v1/digest/subscribers", a.auth(a.operatorOnly(a.listSubscribers)))
	api.Handle("POST /api/v1/digest/subscribers", a.auth(a.operatorOnly(a.addSubscriber)))
	api.Handle("DELETE /api/v1/digest/subscribers/{kind}/{target}", a.auth(a.operatorOnly(a.removeSubscriber)))
	api.Handle("GET /api/v1/waves", a.auth(a.listWaves))
	api.Handle("POST /api/v1/waves", a.auth(a.operatorOnly(a.addWave)))
	api.Handle("GET /api/v1/responses", a.auth(a.responses))
	api.Handle("GET /api/v1/aggregates", a.auth(a.operatorOnly(a.aggregates)))
	api.Handle("GET /api/v1/change", a.auth(a.operatorOnly(a.change)))
	mux.Handle("/api/", jsonapi.Routes(api))
}

// auth admits requests with a valid "Authorization: Bearer <key>".
func (a *API) auth(next func(http.ResponseWriter, *http.Request, survey.Principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !jsonapi.ReadURL(w, r) { // an id or a chamber SQL cannot take
			return
		}
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || key == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="surveybot"`)
			jsonapi.Error(w, http.StatusUnauthorized, "an API key is needed: Authorization: Bearer <key>")
			return
		}
		p, err := a.db.PrincipalByKey(r.Context(), key)
		if errors.Is(err, survey.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="surveybot", error="invalid_token"`)
			jsonapi.Error(w, http.StatusUnauthorized, "unknown or revoked API key")
			return
		}
		if err != nil {
			a.log.Error("admin API key", slog.Any("error", err))
			jsonapi.Error(w, http.StatusInternalServerError, "internal error")
			return
		}
		next(w, r, p)
	})
}

func (a *API) operatorOnly(next func(http.ResponseWriter, *http.Request, survey.Principal)) func(http.ResponseWriter, *http.Request, survey.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p survey.Principal) {
		if !p.Operator() {
			jsonapi.Error(w, http.StatusForbidden, "only the operator's key may do this")
			return
		}
		next(w, r, p)
	}
}

func (a *API) listSubscribers(w http.ResponseWriter, r *http.Request, _ survey.Principal) {
	subs, err := a.db.Subscribers(r.Context())
	if err != nil {
		a.log.Error("list subscribers", slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	out := make([]map[string]string, len(subs))
	for i, s := range subs {
		out[i] = map[string]string{"kind": string(s.Kind), "target": s.Target}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"subscribers": out})
}

func (a *API) addSubscriber(w http.ResponseWriter, r *http.Request, _ survey.Principal) {
	var in struct {
		Kind   survey.Channel `json:"kind"`
		Target string         `json:"target"`
	}
	if !jsonapi.Read(w, r, 4096, &in, `the body must be {"kind": "slack|telegram|email", "target": "…"}`) {
		return
	}
	if field, msg := badTarget(in.Kind, in.Target); msg != "" {
		jsonapi.ErrorField(w, http.StatusBadRequest, field, msg)
		return
	}
	if err := a.db.AddSubscriber(r.Context(), survey.Subscriber{Kind: in.Kind, Target: in.Target}); err != nil {
		a.log.Error("add subscriber", slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	jsonapi.Write(w, http.StatusCreated, map[string]string{"kind": string(in.Kind), "target": in.Target})
}

// badTarget says which field of a digest subscriber is wrong and what is
// wrong with it for the deliverer of its kind (cmd/surveybot's
// digestJob), or "" if nothing is: a target the deliverer cannot use
// would fail every week, unnoticed.
func badTarget(kind survey.Channel, target string) (field, msg string) {
	switch kind {
	case survey.Telegram:
		// The chat id as Telegram and /subscribe write it: a group's is
		// negative; "+5" or "05" would be a second entry for one chat.
		if id, err := strconv.ParseInt(target, 10, 64); err != nil || id == 0 || strconv.FormatInt(id, 10) != target {
			return "target", "target is not a Telegram chat id (an integer such as 123456789, or -100123456789 for a group)"
		}
	case survey.Email:
		if _, err := mail.ParseAddress(target); err != nil {
			return "target", "target is not an e-mail address"
		}
	case survey.Slack:
		if !isSlackID(target) {
			return "target", "target is not a Slack channel or member id (such as C0123ABCDE or U0123ABCDE)"
		}
	default:
		return "kind", "kind must be slack, telegram or email"
	}
	return "", ""
}

// isSlackID reports whether s is a Slack channel (C…, private G…, direct
// message D…) or member (U…, W…) id, the targets chat.postMessage takes.
func isSlackID(s string) bool {
	if len(s) < 7 || len(s) > 21 || !strings.ContainsRune("CGDUW", rune(s[0])) {
		return false
	}
	for _, c := range s[1:] {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func (a *API) removeSubscriber(w http.ResponseWriter, r *http.Request, _ survey.Principal) {
	err := a.db.RemoveSubscriber(r.Context(), survey.Subscriber{Kind: survey.Channel(r.PathValue("kind")), Target: r.PathValue("target")})
	switch {
	case errors.Is(err, survey.ErrNotFound):
		jsonapi.Error(w, http.StatusNotFound, "no such subscriber")
	case err != nil:
		a.log.Error("remove subscriber", slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// responses exports completed responses: a chamber gets its own members'
// only, whatever it asks for; the operator all, or one chamber's; either
// all waves or, with ?wave=NAME, one.
func (a *API) responses(w http.ResponseWriter, r *http.Request, p survey.Principal) {
	chamber := r.URL.Query().Get("chamber")
	if !p.Operator() {
		if chamber != "" && chamber != p.Chamber.Code {
			jsonapi.Error(w, http.StatusForbidden, "a chamber's key sees only that chamber's responses")
			return
		}
		chamber = p.Chamber.Code
	}
	filter := store.CompletedFilter{Questionnaire: a.q.Ref(), Chamber: chamber}
	if name := r.URL.Query().Get("wave"); name != "" {
		wave, err := a.db.Wave(r.Context(), name)
		if errors.Is(err, survey.ErrNotFound) {
			jsonapi.ErrorField(w, http.StatusBadRequest, "wave", "wave: no such wave (GET /api/v1/waves lists them)")
			return
		}
		if err != nil {
			a.log.Error("export responses: wave", slog.Any("error", err))
			jsonapi.Error(w, http.StatusInternalServerError, "internal error")
			return
		}
		filter.Wave = wave.ID
	}
	next := func(fn func(store.CompletedResponse) error) error { return a.db.EachCompleted(r.Context(), filter, fn) }
	var err error
	switch format := r.URL.Query().Get("format"); format {
	case "", "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="antworten.csv"`)
		err = exports.WriteCSV(w, a.q, next)
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="antworten.xlsx"`)
		err = exports.WriteXLSX(w, a.q, next)
	default:
		jsonapi.Error(w, http.StatusBadRequest, "format must be csv or xlsx")
		return
	}
	if err != nil {
		a.log.Error("export responses", slog.Any("error", err))
	}
}

// aggregates returns the disclosure-controlled figures of one dimension.
func (a *API) aggregates(w http.ResponseWriter, r *http.Request, _ survey.Principal) {
	dim := survey.Dimension(r.URL.Query().Get("by"))
	if dim == "" {
		dim = survey.Overall
	}
	valid := false
	for _, d := range survey.Dimensions() {
		valid = valid || d == dim
	}
	if !valid {
		jsonapi.ErrorField(w, http.StatusBadRequest, "by", "by must be overall, chamber, sector, size, region, week or wave")
		return
	}
	tables, err := waves.Tables(r.Context(), a.db, a.q.Ref(), dim, r.URL.Query().Get("wave"))
	var bad *waves.Invalid
	if errors.As(err, &bad) {
		jsonapi.ErrorField(w, http.StatusBadRequest, bad.Field, bad.Error())
		return
	}
	if err != nil {
		a.log.Error("aggregate", slog.Any("error", err))
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	type labels struct {
		De string `json:"de"`
		En string `json:"en"`
	}
	type figure struct {
		Group      string   `json:"group"` // a code, as in the CSV export: "total", "none", an option code
		Label      labels   `json:"label"`
		N          *int     `json:"n,omitempty"`
		Mean       *float64 `json:"mean,omitempty"`
		Bands      []*int   `json:"bands,omitempty"`
		Suppressed bool     `json:"suppressed,omitempty"` // shown as "·" with "n<5"
	}
	conv := func(f indicators.Figure, total bool) figure {
		code := exports.GroupCode(f, total)
		l := exports.GroupLabel(a.q, dim, code)
		out := figure{Group: code, Label: labels{De: l.De, En: l.En}}
		if f.Suppressed {
			out.Suppressed = true
			return out
		}
		n, m := f.N, f.Mean
		out.N, out.Mean = &n, &m
		for i := range f.Bands {
			if f.BandShown[i] {
				b := f.Bands[i]
				out.Bands = append(out.Bands, &b)
			} else {
				out.Bands = append(out.Bands, nil)
			}
		}
		return out
	}
	var out []map[string]any
	for _, t := range tables {
		var cellsOut []figure
		for _, c := range t.Cells {
			cellsOut = append(cellsOut, conv(c, false))
		}
		title := exports.FieldTitle(a.q, t.Field)
		out = append(out, map[string]any{"field": t.Field, "field_title": labels{De: title.De, En: title.En}, "total": conv(t.Total, true), "cells": cellsOut})
	}
	resp := map[string]any{"by": dim, "tables": out}
	if wave := r.URL.Query().Get("wave"); wave != "" {
		resp["wave"] = wave
	}
	jsonapi.Write(w, http.StatusOK, resp)
}
