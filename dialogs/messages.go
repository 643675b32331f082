package dialogs

import "fmt"

// msgKey names a text of the engine's own (not the questionnaire's).
type msgKey int

const (
	msgConsentAsk msgKey = iota
	msgConsentYes
	msgConsentNo
	msgConsentInvalid
	msgDeclined
	msgDeclinedAgain
	msgProgress
	msgPrevious
	msgFirstQuestion
	msgPaused
	msgStillPaused
	msgResumed
	msgRestartAsk
	msgRestartYes
	msgRestartNo
	msgRestartInvalid
	msgRestarted
	msgLanguageSet
	msgStatusAsking
	msgStatusConsent
	msgStatusDone
	msgStatusDeclined
	msgHelpCommands
	msgHelpNoItemHelp
	msgAlreadyDone
	msgNotSkippable
	msgSummaryHead
	msgSummaryField
	msgSummaryNone
	msgSummaryComposite
	msgSummaryTech
	msgThanks
	msgHintSingle
	msgHintMulti
	msgHintScale
	msgHintYesNo
	msgHintInteger
	msgHintIntegerMin
	msgHintIntegerMax
	msgHintIntegerAny
	msgHintText
	msgHintPostcode
	msgHintNA
	msgErrSingle
	msgErrMulti
	msgErrMultiEmpty
	msgErrScale
	msgErrYesNo
	msgErrInteger
	msgErrTextEmpty
	msgErrTextLong
	msgErrPostcode
	msgSelected
	msgButtonBack
	msgButtonSkip
	msgButtonHelp
	msgButtonDone
	msgButtonNA
	msgYes
	msgNo
	msgInputEnded
	msgStale
	msgErrExclusive
	msgSummaryCompositeLabel
	msgSummaryTechLabel
	msgUnstorable
	msgErrPostcodeArea
	msgLanguageUnknown
	msgHintSingleButtons
	msgHintMultiButtons
	msgHintScaleButtons
	msgHintYesNoButtons
	msgHintMultiForm
	msgHintNAButton
	msgErrChoiceButtons
	msgErrMultiButtons
	msgEraseTerminal
	msgEraseTelegram
	msgEraseSlack
	msgEraseWeb
	msgPrefillAsk
	msgPrefillYes
	msgPrefillChange
	msgPrefillInvalid
	msgPrefillPostcode
)

// text returns the German and English wording of a message.
func (k msgKey) text() Text {
	switch k {
	case msgConsentAsk:
		return Text{"Möchten Sie an der Umfrage teilnehmen?", "Would you like to take part in the survey?"}
	case msgConsentYes:
		return Text{"Ja, ich bin einverstanden", "Yes, I agree"}
	case msgConsentNo:
		return Text{"Nein, danke", "No, thank you"}
	case msgConsentInvalid:
		return Text{"Bitte antworten Sie mit „ja“ oder „nein“.", "Please answer “yes” or “no”."}
	case msgDeclined:
		return Text{"Schade, aber natürlich in Ordnung. Wir haben nur Ihre Absage gespeichert, keine weiteren Daten. Wenn Sie es sich anders überlegen, schreiben Sie „neustart“.",
			"That's a pity, but of course fine. We have stored only that you declined, nothing else. If you change your mind, send “restart”."}
	case msgDeclinedAgain:
		return Text{"Sie haben die Teilnahme abgelehnt. Wenn Sie doch teilnehmen möchten, schreiben Sie „neustart“.",
			"You declined to take part. If you would like to take part after all, send “restart”."}
	case msgProgress:
		return Text{"Frage %d von ca. %d", "Question %d of about %d"}
	case msgPrevious:
		return Text{"Ihre bisherige Antwort: %s", "Your answer so far: %s"}
	case msgFirstQuestion:
		return Text{"Das ist bereits die erste Frage.", "This is already the first question."}
	case msgPaused:
		return Text{"Die Umfrage ist pausiert. Ihre Antworten sind gespeichert. Schreiben Sie „weiter“, wenn Sie fortfahren möchten – gern auch später oder auf einem anderen Kanal.",
			"The survey is paused. Your answers are saved. Send “resume” when you want to go on – later or on another channel if you like."}
	case msgStillPaused:
		return Text{"Die Umfrage ist pausiert. Schreiben Sie „weiter“, um fortzufahren.", "The survey is paused. Send “resume” to go on."}
	case msgResumed:
		return Text{"Willkommen zurück! Weiter geht's.", "Welcome back! Let's go on."}
	case msgRestartAsk:
		return Text{"Möchten Sie wirklich von vorn beginnen? Alle bisherigen Antworten werden verworfen.",
			"Do you really want to start over? All your answers so far will be discarded."}
	case msgRestartYes:
		return Text{"Ja, neu beginnen", "Yes, start over"}
	case msgRestartNo:
		return Text{"Nein, weiter wie bisher", "No, carry on"}
	case msgRestartInvalid:
		return Text{"Bitte antworten Sie mit „ja“ (neu beginnen) oder „nein“ (weiter wie bisher).", "Please answer “yes” (start over) or “no” (carry on)."}
	case msgRestarted:
		return Text{"Ihre Antworten wurden verworfen. Wir beginnen von vorn.", "Your answers have been discarded. Let's start over."}
	case msgLanguageSet:
		return Text{"Die Sprache ist jetzt Deutsch.", "The language is now English."}
	case msgStatusAsking:
		return Text{"Sie sind bei Frage %d von ca. %d; %d Antworten sind gespeichert.", "You are at question %d of about %d; %d answers are saved."}
	case msgStatusConsent:
		return Text{"Die Umfrage hat noch nicht begonnen: Bitte bestätigen Sie zuerst den Datenschutzhinweis.", "The survey has not started yet: please confirm the privacy notice first."}
	case msgStatusDone:
		return Text{"Sie haben die Umfrage abgeschlossen. Vielen Dank!", "You have completed the survey. Thank you!"}
	case msgStatusDeclined:
		return Text{"Sie haben die Teilnahme abgelehnt.", "You declined to take part."}
	case msgHelpCommands:
		return Text{"Befehle: „zurück“ (vorige Frage), „überspringen“ (nur bei freiwilligen Fragen), „-“ oder „keine Angabe“, „pause“, „weiter“, „status“, „sprache en“, „neustart“.",
			"Commands: “back” (previous question), “skip” (optional questions only), “-” or “prefer not to say”, “pause”, “resume”, “status”, “language de”, “restart”."}
	case msgHelpNoItemHelp:
		return Text{"Antworten Sie so, wie es für Ihre Organisation am ehesten zutrifft.", "Answer as it best applies to your organisation."}
	case msgAlreadyDone:
		return Text{"Sie haben die Umfrage bereits abgeschlossen. Vielen Dank für Ihre Teilnahme!", "You have already completed the survey. Thank you for taking part!"}
	case msgNotSkippable:
		return Text{"Diese Frage kann nicht übersprungen werden. Wenn Sie nicht antworten möchten, wählen Sie „keine Angabe“.",
			"This question cannot be skipped. If you would rather not answer, choose “prefer not to say”."}
	case msgSummaryHead:
		return Text{"Vielen Dank für Ihre Teilnahme! Ihre Ergebnisse (0–100):", "Thank you for taking part! Your results (0–100):"}
	case msgSummaryField:
		return Text{"%s: %d", "%s: %d"}
	case msgSummaryNone:
		return Text{"Für eine Auswertung haben Sie zu wenige Fragen beantwortet.", "You answered too few questions for a score."}
	case msgSummaryComposite:
		return Text{"Gesamtindex: %d", "Composite index: %d"}
	case msgSummaryTech:
		return Text{"Eingesetzte Technologien: %d von 12", "Technologies in use: %d of 12"}
	case msgThanks:
		return Text{"Ihre Antworten sind gespeichert.", "Your answers are saved."}
	case msgHintSingle:
		return Text{"Bitte wählen Sie eine Option (Nummer oder Text).", "Please choose one option (number or text)."}
	case msgHintMulti:
		return Text{"Mehrfachauswahl: Wählen Sie alle zutreffenden Optionen (Nummern, z. B. „1 3“) und dann „fertig“.",
			"Multiple choice: choose all options that apply (numbers, e.g. “1 3”), then “done”."}
	case msgHintScale:
		return Text{"Bitte antworten Sie mit einer Zahl von 1 (%s) bis %d (%s).", "Please answer with a number from 1 (%s) to %d (%s)."}
	case msgHintYesNo:
		return Text{"Bitte antworten Sie mit „ja“ oder „nein“.", "Please answer “yes” or “no”."}
	case msgHintInteger:
		return Text{"Bitte geben Sie eine ganze Zahl von %d bis %d ein.", "Please enter a whole number from %d to %d."}
	case msgHintIntegerMin:
		return Text{"Bitte geben Sie eine ganze Zahl ab %d ein.", "Please enter a whole number of at least %d."}
	case msgHintIntegerMax:
		return Text{"Bitte geben Sie eine ganze Zahl bis %d ein.", "Please enter a whole number of at most %d."}
	case msgHintIntegerAny:
		return Text{"Bitte geben Sie eine ganze Zahl ein.", "Please enter a whole number."}
	case msgHintText:
		return Text{"Bitte antworten Sie mit einem kurzen Text (höchstens %d Zeichen).", "Please answer with a short text (at most %d characters)."}
	case msgHintPostcode:
		return Text{"Bitte geben Sie eine fünfstellige Postleitzahl ein, z. B. 30159.", "Please enter a five-digit German postcode, e.g. 30159."}
	case msgHintNA:
		return Text{"„-“ bedeutet keine Angabe.", "“-” means prefer not to say."}
	case msgErrSingle:
		return Text{"Das habe ich nicht verstanden. Bitte wählen Sie eine der Optionen 1 bis %d.", "I did not understand that. Please choose one of the options 1 to %d."}
	case msgErrMulti:
		return Text{"Das habe ich nicht verstanden. Bitte wählen Sie Optionen mit ihren Nummern 1 bis %d und dann „fertig“.",
			"I did not understand that. Please choose options by their numbers 1 to %d, then “done”."}
	case msgErrMultiEmpty:
		return Text{"Bitte wählen Sie mindestens eine Option oder „keine Angabe“.", "Please choose at least one option or “prefer not to say”."}
	case msgErrScale:
		return Text{"Bitte antworten Sie mit einer Zahl von 1 bis %d.", "Please answer with a number from 1 to %d."}
	case msgErrYesNo:
		return Text{"Bitte antworten Sie mit „ja“ oder „nein“.", "Please answer “yes” or “no”."}
	case msgErrInteger:
		return Text{"Das ist keine gültige Zahl. ", "That is not a valid number. "}
	case msgErrTextEmpty:
		return Text{"Bitte schreiben Sie eine Antwort oder wählen Sie „keine Angabe“.", "Please write an answer or choose “prefer not to say”."}
	case msgErrTextLong:
		return Text{"Ihre Antwort ist %d Zeichen lang; erlaubt sind höchstens %d. Bitte kürzen Sie sie.", "Your answer is %d characters long; at most %d are allowed. Please shorten it."}
	case msgErrPostcode:
		return Text{"Das ist keine gültige Postleitzahl. Bitte geben Sie fünf Ziffern ein, z. B. 30159.", "That is not a valid postcode. Please enter five digits, e.g. 30159."}
	case msgErrPostcodeArea:
		return Text{"Die Postleitzahl %s liegt nicht in Niedersachsen. Die Umfrage gilt Betrieben in Niedersachsen: Bitte geben Sie die Postleitzahl Ihres Betriebs in Niedersachsen an, oder „keine Angabe“.",
			"The postcode %s is not in Lower Saxony. The survey is for businesses in Lower Saxony: please enter the postcode of your business there, or “prefer not to say”."}
	case msgSelected:
		return Text{"Ausgewählt: %s", "Selected: %s"}
	case msgButtonBack:
		return Text{"« zurück", "« back"}
	case msgButtonSkip:
		return Text{"überspringen", "skip"}
	case msgButtonHelp:
		return Text{"Hilfe", "help"}
	case msgButtonDone:
		return Text{"fertig ✓", "done ✓"}
	case msgButtonNA:
		return Text{"keine Angabe", "prefer not to say"}
	case msgYes:
		return Text{"Ja", "Yes"}
	case msgNo:
		return Text{"Nein", "No"}
	case msgSummaryCompositeLabel:
		return Text{"Gesamtindex", "Composite index"}
	case msgSummaryTechLabel:
		return Text{"Eingesetzte Technologien (von 12)", "Technologies in use (of 12)"}
	case msgErrExclusive:
		return Text{"„%s“ schließt die anderen Optionen aus. Bitte wählen Sie entweder diese oder andere.", "“%s” excludes the other options. Please choose either it or others."}
	case msgUnstorable:
		return Text{"Ihre Nachricht enthält ein Zeichen, das wir nicht speichern können (etwa ein Steuerzeichen). Bitte senden Sie sie noch einmal ohne dieses Zeichen.",
			"Your message contains a character we cannot store (such as a control character). Please send it again without it."}
	case msgLanguageUnknown:
		return Text{"Verfügbar sind nur Deutsch und English. Die Sprache bleibt Deutsch; „sprache en“ wechselt zu English.",
			"Only Deutsch and English are available. The language stays English; “language de” switches to Deutsch."}
	case msgHintSingleButtons:
		return Text{"Bitte wählen Sie eine Option mit den Knöpfen.", "Please choose one option with the buttons."}
	case msgHintMultiButtons:
		return Text{"Mehrfachauswahl: Wählen Sie alle zutreffenden Optionen mit den Knöpfen und dann „%s“.",
			"Multiple choice: choose all options that apply with the buttons, then “%s”."}
	case msgHintScaleButtons:
		return Text{"Bitte wählen Sie einen Wert von 1 (%s) bis %d (%s).", "Please choose a value from 1 (%s) to %d (%s)."}
	case msgHintYesNoButtons:
		return Text{"Bitte wählen Sie „%s“ oder „%s“.", "Please choose “%s” or “%s”."}
	case msgHintMultiForm:
		return Text{"Mehrere Antworten möglich. Kreuzen Sie alle zutreffenden an und dann „%s“.",
			"You can choose several answers. Tick all that apply, then “%s”."}
	case msgHintNAButton:
		return Text{"Wenn Sie nicht antworten möchten: „%s“.", "If you would rather not answer: “%s”."}
	case msgErrChoiceButtons:
		return Text{"Bitte wählen Sie eine der Optionen oder „%s“.", "Please choose one of the options or “%s”."}
	case msgErrMultiButtons:
		return Text{"Bitte wählen Sie mindestens eine Option und dann „%s“, oder „%s“.",
			"Please choose at least one option, then “%s”, or “%s”."}
	case msgEraseTerminal:
		return Text{"Ihre Daten löschen Sie selbst jederzeit, indem Sie „löschen“ schreiben.", "You can delete your data yourself at any time by typing “delete”."}
	case msgEraseTelegram:
		return Text{"Ihre Daten löschen Sie selbst jederzeit mit dem Befehl /delete.", "You can delete your data yourself at any time with the command /delete."}
	case msgEraseSlack:
		return Text{"Ihre Daten löschen Sie selbst jederzeit mit /umfrage delete.", "You can delete your data yourself at any time with /umfrage delete."}
	case msgEraseWeb:
		return Text{"Ihre Daten löschen Sie jederzeit mit „Meine Daten löschen“ unten auf jeder Seite.",
			"You can delete your data at any time with “Delete my data” at the foot of every page."}
	case msgPrefillAsk:
		return Text{"Noch aktuell? %s", "Still correct? %s"}
	case msgPrefillYes:
		return Text{"Ja, stimmt", "Yes"}
	case msgPrefillChange:
		return Text{"Ändern", "Change"}
	case msgPrefillInvalid:
		return Text{"Bitte antworten Sie mit „ja“ (die Angaben stimmen noch) oder „ändern“ (die Fragen einzeln beantworten).",
			"Please answer “yes” (still correct) or “change” (answer the questions one by one)."}
	case msgPrefillPostcode:
		return Text{"PLZ %s", "postcode %s"}
	case msgStale:
		return Text{"Diese Frage ist bereits beantwortet.", "This question has already been answered."}
	case msgInputEnded:
		return Text{"Eingabe beendet – die Umfrage ist noch nicht abgeschlossen.", "Input ended – the survey is not complete yet."}
	}
	return Text{"?", "?"}
}

func (k msgKey) in(lang Lang, args ...any) string {
	t := k.text().In(lang)
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

// ButtonLabel returns the label of a command button (back, skip, help, done,
// "keine Angabe") in lang, for channels that render buttons.
func ButtonLabel(lang Lang, c Command) string {
	switch c {
	case CmdBack:
		return msgButtonBack.in(lang)
	case CmdSkip:
		return msgButtonSkip.in(lang)
	case CmdHelp:
		return msgButtonHelp.in(lang)
	case CmdDone:
		return msgButtonDone.in(lang)
	case CmdNA:
		return msgButtonNA.in(lang)
	}
	return string(c)
}

// Text renders the progress as "Frage 7 von ca. 24".
func (p Progress) Text(lang Lang) string { return msgProgress.in(lang, p.Pos, p.Total) }

// InputEnded is what a terminal says when its input ends mid-dialog.
func InputEnded(lang Lang) string { return msgInputEnded.in(lang) }
