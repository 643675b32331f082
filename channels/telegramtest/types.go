package telegramtest

import (
	"net/http"
	"slices"
	"time"

	"github.com/go-telegram/bot/models"
)

// Call is one request the bot made with the right token, as recorded by
// the Server; calls of unknown methods are recorded too (Status 404).
type Call struct {
	// Method is the method name as the Bot API spells it, such as "sendMessage".
	Method string
	// Params are the request's parameters as strings: form values as sent,
	// JSON strings unquoted, JSON numbers and booleans as their text and
	// JSON objects and arrays (reply_markup, allowed_updates, ...) as
	// compact JSON text.
	Params map[string]string
	// Files are the uploaded files by form field name (photo, document, ...).
	Files map[string]File
	// Status is the HTTP status of the answer: 200, or the error_code; 0
	// while the call is still being answered (a waiting getUpdates).
	Status int
	// Description is the error description of a failed call, such as
	// "Bad Request: message text is empty".
	Description string
	// At is when the request arrived.
	At time.Time
}

// File is a file uploaded in a multipart request.
type File struct {
	// Name is the file name the client gave.
	Name string
	// Size is the length of the content in bytes.
	Size int64
	// ContentType is the Content-Type of the form part.
	ContentType string
	// Data is the content. It must not be modified.
	Data []byte
}

// Button is an inline keyboard button of a message.
type Button struct {
	// Text is the label the user sees.
	Text string
	// CallbackData is what pressing the button sends back; "" for buttons
	// of another kind (URL, ...).
	CallbackData string
}

// Message is a message the bot sent to a chat, with its edits applied.
type Message struct {
	// MessageID is the message's id in the chat.
	MessageID int
	// ChatID is the private chat the message is in (the user's id).
	ChatID int64
	// Text is the text or, for a photo or document, the caption, as
	// Telegram shows it: with parse_mode HTML, without the tags and with
	// HTML entities decoded.
	Text string
	// RawText is Text exactly as the bot sent it, before parse_mode.
	RawText string
	// ParseMode is the parse_mode of the last send or edit.
	ParseMode string
	// Entities are the formatting entities Telegram derived from the text.
	Entities []models.MessageEntity
	// Keyboard is the inline keyboard, nil if the message has none.
	Keyboard [][]Button
	// ReplyKeyboard holds the button labels of a reply keyboard
	// (ReplyKeyboardMarkup) sent with the message; it is not part of the
	// message in Telegram's answers, as in the real API.
	ReplyKeyboard [][]string
	// Photo tells whether the message is a photo.
	Photo bool
	// Document tells whether the message is a document.
	Document bool
	// FileName is the name of an uploaded photo or document.
	FileName string
	// FileSize is the size of an uploaded photo or document in bytes.
	FileSize int64
	// Edits counts the successful edits of the message.
	Edits int
}

// Callback is a callback query created by Press, with what the bot
// answered.
type Callback struct {
	// ID is the callback query id.
	ID string
	// ChatID and MessageID identify the message whose button was pressed.
	ChatID    int64
	MessageID int
	// Data is the pressed button's callback_data.
	Data string
	// Answered tells whether the bot called answerCallbackQuery for it.
	Answered bool
	// AnswerText and ShowAlert are what the bot answered with.
	AnswerText string
	ShowAlert  bool
}

type chatState struct {
	id        int64
	lang      string
	blocked   bool
	nextMsgID int
	msgs      []*botMessage
}

type botMessage struct {
	id            int
	chatID        int64
	date          int
	editDate      int
	raw           string // text or caption as sent
	text          string // as rendered
	entities      []models.MessageEntity
	parseMode     string
	media         bool // a photo or document: text is the caption
	markup        *models.InlineKeyboardMarkup
	replyKeyboard [][]string
	photo         []models.PhotoSize
	document      *models.Document
	fileName      string
	fileSize      int64
	edits         int
	deleted       bool
}

type callbackState struct {
	cb Callback
}

type webhookState struct {
	url     string
	secret  string
	maxConn int
}

type failure struct {
	n          int
	retryAfter int
}

// apiError is an unsuccessful Bot API answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

// apiResponse is the Bot API's answer envelope, fields in the real order.
type apiResponse struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

type responseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func (m *botMessage) public() Message {
	return Message{
		MessageID: m.id, ChatID: m.chatID, Text: m.text, RawText: m.raw,
		ParseMode: m.parseMode, Entities: slices.Clone(m.entities),
		Keyboard: keyboardOf(m.markup), ReplyKeyboard: cloneRows(m.replyKeyboard),
		Photo: m.photo != nil, Document: m.document != nil,
		FileName: m.fileName, FileSize: m.fileSize, Edits: m.edits,
	}
}

func cloneRows(rows [][]string) [][]string {
	if rows == nil {
		return nil
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
	}
	return out
}

func keyboardOf(mk *models.InlineKeyboardMarkup) [][]Button {
	if mk == nil {
		return nil
	}
	out := make([][]Button, 0, len(mk.InlineKeyboard))
	for _, row := range mk.InlineKeyboard {
		r := make([]Button, 0, len(row))
		for _, b := range row {
			r = append(r, Button{Text: b.Text, CallbackData: b.CallbackData})
		}
		out = append(out, r)
	}
	return out
}

// wire is the message as the Bot API returns it.
func (s *Server) wire(m *botMessage) *models.Message {
	bot := s.bot
	w := &models.Message{
		ID: m.id, From: &bot, Date: m.date, EditDate: m.editDate, Chat: chatObject(m.chatID),
		Photo: slices.Clone(m.photo), ReplyMarkup: cloneMarkup(m.markup),
	}
	if m.document != nil {
		d := *m.document
		w.Document = &d
	}
	if m.media {
		w.Caption, w.CaptionEntities = m.text, slices.Clone(m.entities)
	} else {
		w.Text, w.Entities = m.text, slices.Clone(m.entities)
	}
	return w
}

func cloneMarkup(mk *models.InlineKeyboardMarkup) *models.InlineKeyboardMarkup {
	if mk == nil {
		return nil
	}
	out := &models.InlineKeyboardMarkup{InlineKeyboard: make([][]models.InlineKeyboardButton, len(mk.InlineKeyboard))}
	for i, row := range mk.InlineKeyboard {
		out.InlineKeyboard[i] = slices.Clone(row)
	}
	return out
}
