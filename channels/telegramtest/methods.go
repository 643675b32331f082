package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"  // photo dimensions
	_ "image/jpeg" // photo dimensions
	_ "image/png"  // photo dimensions
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// targetChatLocked is the chat a send goes to.
func (s *Server) targetChatLocked(p map[string]string) (*chatState, *apiError) {
	v := p["chat_id"]
	if v == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	return s.chatLocked(id), nil
}

// findMessageLocked finds the bot's message chat_id/message_id.
func (s *Server) findMessageLocked(p map[string]string) *botMessage {
	chatID, err1 := strconv.ParseInt(p["chat_id"], 10, 64)
	msgID, err2 := strconv.Atoi(p["message_id"])
	if err1 != nil || err2 != nil {
		return nil
	}
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	for _, m := range c.msgs {
		if m.id == msgID && !m.deleted {
			return m
		}
	}
	return nil
}

func (s *Server) newMessageLocked(c *chatState) *botMessage {
	c.nextMsgID++
	m := &botMessage{id: c.nextMsgID, chatID: c.id, date: int(time.Now().Unix())}
	c.msgs = append(c.msgs, m)
	return m
}

func (s *Server) sendMessageLocked(p map[string]string) (any, string, *apiError) {
	c, aerr := s.targetChatLocked(p)
	if aerr != nil {
		return nil, "", aerr
	}
	raw := p["text"]
	if strings.TrimSpace(raw) == "" {
		return nil, "", badRequest("message text is empty")
	}
	text, ents, aerr := render(raw, p["parse_mode"], p["entities"])
	if aerr != nil {
		return nil, "", aerr
	}
	if strings.TrimSpace(text) == "" {
		return nil, "", badRequest("message text is empty")
	}
	if utf16Len(text) > maxTextLen {
		return nil, "", badRequest("message is too long")
	}
	mk, rk, aerr := parseReplyMarkup(p)
	if aerr != nil {
		return nil, "", aerr
	}
	if c.blocked {
		return nil, "", &apiError{code: http.StatusForbidden, desc: descBlocked}
	}
	m := s.newMessageLocked(c)
	m.raw, m.text, m.entities, m.parseMode = raw, text, ents, p["parse_mode"]
	m.markup, m.replyKeyboard = mk, rk
	return s.wire(m), "", nil
}

func (s *Server) sendMediaLocked(p map[string]string, files map[string]File, kind string) (any, string, *apiError) {
	c, aerr := s.targetChatLocked(p)
	if aerr != nil {
		return nil, "", aerr
	}
	f, uploaded := files[kind]
	ref := p[kind]
	if !uploaded && ref == "" {
		return nil, "", badRequest("there is no " + kind + " in the request")
	}
	if uploaded && f.Size == 0 {
		return nil, "", badRequest("file must be non-empty")
	}
	raw := p["caption"]
	caption, ents, aerr := render(raw, p["parse_mode"], p["caption_entities"])
	if aerr != nil {
		return nil, "", aerr
	}
	if utf16Len(caption) > maxCaptionLen {
		return nil, "", badRequest("message caption is too long")
	}
	mk, rk, aerr := parseReplyMarkup(p)
	if aerr != nil {
		return nil, "", aerr
	}
	if c.blocked {
		return nil, "", &apiError{code: http.StatusForbidden, desc: descBlocked}
	}
	m := s.newMessageLocked(c)
	m.media = true
	m.raw, m.text, m.entities, m.parseMode = raw, caption, ents, p["parse_mode"]
	m.markup, m.replyKeyboard = mk, rk
	s.nextFileID++
	fileID := fmt.Sprintf("telegramtest-%s-%d", kind, s.nextFileID)
	uniqueID := fmt.Sprintf("u%d", s.nextFileID)
	if !uploaded {
		f = File{Name: filepath.Base(ref)}
	}
	m.fileName, m.fileSize = f.Name, f.Size
	switch kind {
	case "photo":
		w, h := 1, 1
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(f.Data)); err == nil {
			w, h = cfg.Width, cfg.Height
		}
		m.photo = []models.PhotoSize{{FileID: fileID, FileUniqueID: uniqueID, Width: w, Height: h, FileSize: int(f.Size)}}
	default:
		ct := mime.TypeByExtension(filepath.Ext(f.Name))
		if ct == "" {
			ct = f.ContentType
		}
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			ct = mt
		}
		m.document = &models.Document{FileID: fileID, FileUniqueID: uniqueID, FileName: f.Name, MimeType: ct, FileSize: f.Size}
	}
	return s.wire(m), "", nil
}

func (s *Server) editMessageTextLocked(p map[string]string) (any, string, *apiError) {
	raw := p["text"]
	if strings.TrimSpace(raw) == "" {
		return nil, "", badRequest("message text is empty")
	}
	m := s.findMessageLocked(p)
	if m == nil {
		return nil, "", badRequest(descEditNotFound)
	}
	if m.media {
		return nil, "", badRequest("there is no text in the message to edit")
	}
	text, ents, aerr := render(raw, p["parse_mode"], p["entities"])
	if aerr != nil {
		return nil, "", aerr
	}
	if strings.TrimSpace(text) == "" {
		return nil, "", badRequest("message text is empty")
	}
	if utf16Len(text) > maxTextLen {
		return nil, "", badRequest("message is too long")
	}
	mk, _, aerr := parseReplyMarkup(p)
	if aerr != nil {
		return nil, "", aerr
	}
	if text == m.text && entitiesKey(ents) == entitiesKey(m.entities) && markupKey(mk) == markupKey(m.markup) {
		return nil, "", badRequest(descNotModified)
	}
	m.raw, m.text, m.entities, m.parseMode, m.markup = raw, text, ents, p["parse_mode"], mk
	m.edits++
	m.editDate = int(time.Now().Unix())
	return s.wire(m), "", nil
}

func (s *Server) editMessageReplyMarkupLocked(p map[string]string) (any, string, *apiError) {
	m := s.findMessageLocked(p)
	if m == nil {
		return nil, "", badRequest(descEditNotFound)
	}
	mk, _, aerr := parseReplyMarkup(p)
	if aerr != nil {
		return nil, "", aerr
	}
	if markupKey(mk) == markupKey(m.markup) {
		return nil, "", badRequest(descNotModified)
	}
	m.markup = mk
	m.edits++
	m.editDate = int(time.Now().Unix())
	return s.wire(m), "", nil
}

func entitiesKey(ents []models.MessageEntity) string {
	if len(ents) == 0 {
		return ""
	}
	b, _ := json.Marshal(ents)
	return string(b)
}

func markupKey(mk *models.InlineKeyboardMarkup) string {
	if mk == nil {
		return ""
	}
	b, _ := encodeJSON(mk)
	return string(b)
}

// parseReplyMarkup reads reply_markup: an inline keyboard, validated like
// Telegram does, or the labels of a reply keyboard; other markups (remove
// keyboard, force reply) are accepted and not kept.
func parseReplyMarkup(p map[string]string) (*models.InlineKeyboardMarkup, [][]string, *apiError) {
	raw, has := p["reply_markup"]
	if !has || raw == "" || raw == "null" {
		return nil, nil, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &probe); err != nil {
		return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if ik, ok := probe["inline_keyboard"]; ok {
		var rows [][]map[string]json.RawMessage
		if err := json.Unmarshal(ik, &rows); err != nil {
			return nil, nil, badRequest(`field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays`)
		}
		n := 0
		for _, row := range rows {
			for _, b := range row {
				if aerr := checkInlineButton(b); aerr != nil {
					return nil, nil, aerr
				}
				n++
			}
		}
		if n == 0 {
			return nil, nil, nil // an empty inline keyboard is no keyboard
		}
		var mk models.InlineKeyboardMarkup
		if err := json.Unmarshal(ik, &mk.InlineKeyboard); err != nil {
			return nil, nil, badRequest("can't parse inline keyboard button: " + err.Error())
		}
		var kept [][]models.InlineKeyboardButton
		for _, row := range mk.InlineKeyboard {
			if len(row) > 0 {
				kept = append(kept, row)
			}
		}
		mk.InlineKeyboard = kept
		return &mk, nil, nil
	}
	if kb, ok := probe["keyboard"]; ok {
		var rows [][]models.KeyboardButton
		if err := json.Unmarshal(kb, &rows); err != nil {
			// Telegram also accepts plain strings as buttons.
			var texts [][]string
			if err2 := json.Unmarshal(kb, &texts); err2 != nil {
				return nil, nil, badRequest(`field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays`)
			}
			return nil, texts, nil
		}
		out := make([][]string, len(rows))
		for i, row := range rows {
			for _, b := range row {
				out[i] = append(out[i], b.Text)
			}
		}
		return nil, out, nil
	}
	return nil, nil, nil
}

// checkInlineButton validates one inline keyboard button.
func checkInlineButton(b map[string]json.RawMessage) *apiError {
	var text string
	if raw, ok := b["text"]; !ok || json.Unmarshal(raw, &text) != nil || text == "" {
		// Wording guessed; Telegram rejects buttons without a label.
		return badRequest("can't parse inline keyboard button: Text must be non-empty")
	}
	if raw, ok := b["callback_data"]; ok {
		var data string
		if json.Unmarshal(raw, &data) != nil || len(data) > maxCallbackData {
			return badRequest("BUTTON_DATA_INVALID")
		}
	}
	// A button needs exactly one action; empty values (such as the
	// "copy_text":{"text":""} every go-telegram/bot button carries) count
	// as absent, as Telegram treats them.
	for _, k := range []string{
		"url", "callback_data", "web_app", "login_url", "switch_inline_query",
		"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
		"copy_text", "callback_game", "pay",
	} {
		raw, ok := b[k]
		if !ok {
			continue
		}
		var c bytes.Buffer
		if json.Compact(&c, raw) != nil {
			continue
		}
		v := c.String()
		if v == `""` && (k == "switch_inline_query" || k == "switch_inline_query_current_chat") {
			return nil // an empty inline query is a valid action
		}
		switch v {
		case `""`, "null", "false", `{}`, `{"text":""}`:
			continue
		}
		return nil
	}
	return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
}
