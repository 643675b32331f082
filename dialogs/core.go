package dialogs

import (
	_ "embed"
	"fmt"
)

//go:embed questionnaires/core.yaml
var coreYAML []byte

// CoreFile is the name under which the embedded shared questionnaire reports problems.
const CoreFile = "questionnaires/core.yaml"

// CoreSource returns the YAML of the embedded shared questionnaire.
func CoreSource() []byte { return append([]byte(nil), coreYAML...) }

// LoadCore loads the shared questionnaire "Digitalisierung im Mittelstand
// und Handwerk in Niedersachsen" embedded in the binary.
func LoadCore() (*Questionnaire, error) {
	q, err := Parse(CoreFile, coreYAML, nil)
	if err != nil {
		return nil, fmt.Errorf("load embedded questionnaire: %w", err)
	}
	return q, nil
}

// CoreResolver resolves a chamber file's `extends` against the embedded core.
func CoreResolver(ref Ref) (*Questionnaire, error) {
	core, err := LoadCore()
	if err != nil {
		return nil, err
	}
	if core.Ref() != ref {
		return nil, fmt.Errorf("unknown shared questionnaire %s (this binary has %s)", ref, core.Ref())
	}
	return core, nil
}
