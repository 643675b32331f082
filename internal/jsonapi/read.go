package jsonapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/surveybot/surveybot/internal/safetext"
)

// Read decodes the request's body, at most limit bytes, as one JSON value
// into v, refusing unknown fields and any string that cannot be stored
// (safetext). On failure it answers the request itself, 413 or 400 with
// the field named, and returns false. usage says what the body must be.
func Read(w http.ResponseWriter, r *http.Request, limit int64, v any, usage string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit))
			return false
		}
		Error(w, http.StatusBadRequest, usage+": "+err.Error())
		return false
	}
	if dec.More() {
		Error(w, http.StatusBadRequest, usage+", and nothing after it")
		return false
	}
	if field, err := CheckStrings(v); err != nil {
		ErrorField(w, http.StatusBadRequest, field, field+": "+describe(err))
		return false
	}
	return true
}

// ReadURL checks the request's path and query parameters with safetext,
// as Read checks a body: on a bad one it answers 400 naming it ("path",
// or the parameter) and returns false.
func ReadURL(w http.ResponseWriter, r *http.Request) bool {
	field, err := "path", safetext.Check(r.URL.Path)
	if err == nil {
		for k, vs := range r.URL.Query() {
			for _, v := range append([]string{k}, vs...) {
				if err = safetext.Check(v); err != nil {
					field = k
					break
				}
			}
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		ErrorField(w, http.StatusBadRequest, field, field+": "+describe(err))
		return false
	}
	return true
}

// ErrorField answers with status and {"error": msg, "field": field}.
func ErrorField(w http.ResponseWriter, status int, field, msg string) {
	Write(w, status, map[string]string{"error": msg, "field": field})
}

// describe words a safetext error for an API client. encoding/json turns
// invalid UTF-8 and lone surrogates into U+FFFD, so that is what they
// are reported as.
func describe(err error) string {
	var e *safetext.Error
	if errors.As(err, &e) && e.Reason == "replacement character" {
		return fmt.Sprintf("invalid UTF-8, a lone surrogate or U+FFFD at byte %d", e.Offset)
	}
	return err.Error() + " (control characters other than tab and line breaks cannot be stored)"
}

// CheckStrings checks every string in v (structs by their JSON names,
// slices, maps and pointers) with safetext and returns the JSON path of
// the first bad one, such as "message.de" or "members[2].name".
func CheckStrings(v any) (string, error) {
	return check(reflect.ValueOf(v), "")
}

func check(v reflect.Value, path string) (string, error) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", nil
		}
		return check(v.Elem(), path)
	case reflect.String:
		if err := safetext.Check(v.String()); err != nil {
			return path, err
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				name = "" // embedded: its fields are the outer value's
			}
			if p, err := check(v.Field(i), join(path, name)); err != nil {
				return p, err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, err := check(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return p, err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := fmt.Sprint(iter.Key().Interface())
			if err := safetext.Check(k); err != nil {
				return join(path, "(key)"), err
			}
			if p, err := check(iter.Value(), join(path, k)); err != nil {
				return p, err
			}
		}
	}
	return "", nil
}

func join(path, name string) string {
	switch {
	case name == "":
		return path
	case path == "":
		return name
	}
	return path + "." + name
}
