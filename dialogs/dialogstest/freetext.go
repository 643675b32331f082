package dialogstest

// FreeTextYAML is a questionnaire that asks for free text first, so what a
// respondent types comes back in the next messages and pages; its question
// text has markup characters too, as a chamber's own file might. The
// security tests of the channels send injection attempts through it.
const FreeTextYAML = `id: sectest
version: 1
title: {de: "Sicherheit", en: "Security"}
privacy: {de: "Hinweis zum Datenschutz.", en: "Privacy notice."}
fields:
  - id: alpha
    title: {de: "Alpha", en: "Alpha"}
modules:
  - id: m
    title: {de: "Modul", en: "Module"}
    items:
      - id: note
        type: text
        max_len: 200
        text: {de: "Was sagt <Firma & Co> dazu?", en: "What does <Firm & Co> say?"}
      - id: ok
        type: yesno
        text: {de: "Alles klar?", en: "All clear?"}
        score: {field: alpha}
`
