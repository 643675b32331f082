package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// encodeJSON marshals v and drops the `"copy_text":{"text":""}` that the
// models package writes for every inline button (its CopyText field is a
// struct, so omitempty has no effect) and the real API never sends. The
// quotes are unescaped, so the pattern cannot occur inside a JSON string.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(b, []byte(`,"copy_text":{"text":""}`), nil), nil
}

// canonicalMethod returns the Bot API spelling of a supported method;
// method names are case-insensitive, as in the real API.
func canonicalMethod(m string) (string, bool) {
	for _, name := range [...]string{
		"getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
		"setMyCommands", "sendMessage", "editMessageText", "editMessageReplyMarkup",
		"answerCallbackQuery", "sendPhoto", "sendDocument", "sendChatAction", "deleteMessage",
	} {
		if strings.EqualFold(m, name) {
			return name, true
		}
	}
	return m, false
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeAnswer(w, nil, "", &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	if token != s.token {
		writeAnswer(w, nil, "", &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	name, known := canonicalMethod(method)
	params, files, perr := parseRequest(r)

	s.mu.Lock()
	idx := len(s.calls)
	s.calls = append(s.calls, Call{Method: name, Params: params, Files: files, At: time.Now()})
	var (
		result any
		desc   string
		aerr   *apiError
	)
	switch f := s.fails[strings.ToLower(name)]; {
	case !known:
		aerr = &apiError{code: http.StatusNotFound, desc: "Not Found"}
	case f != nil && f.n > 0:
		f.n--
		s.n429++
		aerr = &apiError{
			code:       http.StatusTooManyRequests,
			desc:       fmt.Sprintf("Too Many Requests: retry after %d", f.retryAfter),
			retryAfter: f.retryAfter,
		}
	case s.bulk != nil && strings.HasPrefix(name, "send") && !s.bulk.Allow():
		// Telegram's bulk limit: about 30 messages per second in all.
		s.n429++
		aerr = &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after 1", retryAfter: 1}
	case perr != nil:
		aerr = badRequest(perr.Error())
	case name == "getUpdates":
		result, aerr = s.getUpdatesLocked(r.Context(), params)
	default:
		result, desc, aerr = s.dispatchLocked(name, params, files)
		s.chatChangedLocked(params["chat_id"])
	}
	s.calls[idx].Status = http.StatusOK
	if aerr != nil {
		s.calls[idx].Status = aerr.code
		s.calls[idx].Description = aerr.desc
	}
	s.mu.Unlock()

	writeAnswer(w, result, desc, aerr)
}

func writeAnswer(w http.ResponseWriter, result any, desc string, aerr *apiError) {
	resp := apiResponse{OK: true, Result: result, Description: desc}
	status := http.StatusOK
	if aerr != nil {
		resp = apiResponse{ErrorCode: aerr.code, Description: aerr.desc}
		if aerr.retryAfter > 0 {
			resp.Parameters = &responseParameters{RetryAfter: aerr.retryAfter}
		}
		status = aerr.code
	}
	body, err := encodeJSON(resp)
	if err != nil {
		body, status = []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// parseRequest reads the parameters from the query string and from a JSON,
// multipart/form-data or application/x-www-form-urlencoded body.
func parseRequest(r *http.Request) (map[string]string, map[string]File, error) {
	params := map[string]string{}
	var files map[string]File
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			params[k] = vs[0]
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return params, nil, fmt.Errorf("can't read request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return params, nil, nil
	}
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return params, nil, fmt.Errorf("can't parse JSON request body: %v", err)
		}
		for k, raw := range m {
			if v, ok := jsonParam(raw); ok {
				params[k] = v
			}
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mp["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return params, files, fmt.Errorf("can't parse multipart body: %v", err)
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return params, files, fmt.Errorf("can't read multipart body: %v", err)
			}
			if part.FileName() != "" {
				if files == nil {
					files = map[string]File{}
				}
				files[part.FormName()] = File{
					Name: part.FileName(), Size: int64(len(data)),
					ContentType: part.Header.Get("Content-Type"), Data: data,
				}
				continue
			}
			params[part.FormName()] = string(data)
		}
	default: // application/x-www-form-urlencoded, or no content type
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return params, nil, fmt.Errorf("can't parse form body: %v", err)
		}
		for k, vs := range vals {
			if len(vs) > 0 {
				params[k] = vs[0]
			}
		}
	}
	return params, files, nil
}

// jsonParam turns a JSON value into the string form of a parameter; false
// for null.
func jsonParam(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s, true
		}
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err == nil {
			return b.String(), true
		}
	}
	return string(raw), true
}

func boolParam(p map[string]string, key string) bool {
	v := strings.ToLower(p[key])
	return v == "true" || v == "1"
}

func intParam(p map[string]string, key string, def int64) int64 {
	v, ok := p[key]
	if !ok || v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return def
	}
	return n
}

// stringList parses a JSON array of strings; ok is false if the parameter
// is absent or not such an array.
func stringList(p map[string]string, key string) ([]string, bool) {
	v, has := p[key]
	if !has {
		return nil, false
	}
	var list []string
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return nil, false
	}
	return list, true
}

// dispatchLocked runs a method other than getUpdates. It returns the
// result, an optional description for a successful answer, or an error.
func (s *Server) dispatchLocked(name string, p map[string]string, files map[string]File) (any, string, *apiError) {
	switch name {
	case "getMe":
		return s.bot, "", nil
	case "setWebhook":
		return s.setWebhookLocked(p)
	case "deleteWebhook":
		desc := "Webhook is already deleted"
		if s.hook.url != "" {
			desc = "Webhook was deleted"
		}
		s.hook = webhookState{}
		if boolParam(p, "drop_pending_updates") {
			s.queue = nil
		}
		return true, desc, nil
	case "getWebhookInfo":
		info := models.WebhookInfo{URL: s.hook.url, PendingUpdateCount: len(s.queue)}
		if s.hook.url != "" {
			info.MaxConnections = s.hook.maxConn
			info.AllowedUpdates = slices.Clone(s.allowed)
		}
		return info, "", nil
	case "setMyCommands":
		return s.setMyCommandsLocked(p)
	case "sendMessage":
		return s.sendMessageLocked(p)
	case "editMessageText":
		return s.editMessageTextLocked(p)
	case "editMessageReplyMarkup":
		return s.editMessageReplyMarkupLocked(p)
	case "answerCallbackQuery":
		cb := s.callbacks[p["callback_query_id"]]
		if cb == nil || cb.cb.Answered {
			return nil, "", badRequest(descQueryInvalid)
		}
		cb.cb.Answered, cb.cb.AnswerText, cb.cb.ShowAlert = true, p["text"], boolParam(p, "show_alert")
		return true, "", nil
	case "sendPhoto":
		return s.sendMediaLocked(p, files, "photo")
	case "sendDocument":
		return s.sendMediaLocked(p, files, "document")
	case "sendChatAction":
		c, aerr := s.targetChatLocked(p)
		if aerr != nil {
			return nil, "", aerr
		}
		if p["action"] == "" {
			return nil, "", badRequest("action is empty") // guessed wording
		}
		if c.blocked {
			return nil, "", &apiError{code: http.StatusForbidden, desc: descBlocked}
		}
		return true, "", nil
	case "deleteMessage":
		m := s.findMessageLocked(p)
		if m == nil {
			return nil, "", badRequest("message to delete not found")
		}
		m.deleted = true
		return true, "", nil
	}
	return nil, "", &apiError{code: http.StatusNotFound, desc: "Not Found"}
}
