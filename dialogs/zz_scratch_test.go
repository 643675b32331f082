package dialogs

import (
	"fmt"
	"testing"
)

func TestZZScratch(t *testing.T) {
	y := `id: x
version: 1
title: {de: a, en: b}
privacy: {de: a, en: b}
fields: [{id: f, title: {de: a, en: b}}]
modules:
  - id: m
    title: {de: a, en: b}
    items:
      - id: s
        type: scale
        points: -3
        text: {de: a, en: b}
      - id: t
        type: yesno
        when: [{item: s, in: ["1"]}]
        text: {de: a, en: b}
`
	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		_, err := Parse("x.yaml", []byte(y), nil)
		fmt.Println(err)
	}()
	q, err := LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(len(q.Items()))
	st, ps, _ := Start(q, German, nil)
	fmt.Printf("%+v\n", ps)
	st, ps, _ = Step(q, st, TextInput("ja"))
	fmt.Printf("%+v\n%+v\n", st, ps)
}
