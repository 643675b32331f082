package dialogs

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/regions"

	"go.yaml.in/yaml/v3"
)

// Resolver finds the shared core a chamber's questionnaire extends.
type Resolver func(Ref) (*Questionnaire, error)

// maxFileSize bounds what Parse reads, so a pasted or uploaded file cannot
// blow up memory through YAML aliases or sheer size.
const maxFileSize = 1 << 20

// Parse decodes and validates a questionnaire file. file names it in
// problems. resolve is called for a chamber file's `extends`; it may be nil
// for files that extend nothing. All problems are reported at once in an
// *InvalidError.
func Parse(file string, data []byte, resolve Resolver) (*Questionnaire, error) {
	ps := &problems{file: file}
	if len(data) > maxFileSize {
		ps.add(0, "", "file is larger than %d bytes", maxFileSize)
		return nil, ps.err()
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		ps.add(yamlErrLine(err.Error()), "", "not valid YAML: %s", stripYAMLPrefix(err.Error()))
		return nil, ps.err()
	}
	if len(root.Content) == 0 {
		ps.add(0, "", "file is empty")
		return nil, ps.err()
	}
	if aliases(&root) {
		ps.add(0, "", "YAML anchors and aliases are not supported; write each item out")
		return nil, ps.err()
	}

	q := &Questionnaire{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(q); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			ps.add(yamlErrLine(err.Error()), "", "%s", stripYAMLPrefix(err.Error()))
			return nil, ps.err()
		}
		for _, msg := range te.Errors {
			ps.add(yamlErrLine(msg), "", "%s", describeTypeError(msg))
		}
	}
	recordLines(&root, q)

	if q.Extends != nil {
		if resolve == nil {
			ps.add(0, "", "extends %s, but no shared core is available", q.Extends)
			return nil, ps.err()
		}
		core, err := resolve(*q.Extends)
		if err != nil {
			ps.add(0, "", "extends %s: %v", q.Extends, err)
			return nil, ps.err()
		}
		validateChamberTop(ps, q)
		ownItems := 0
		for _, m := range q.Modules {
			ownItems += len(m.Items)
		}
		q.Modules = append(cloneModules(core.Modules), q.Modules...)
		q.Fields = core.Fields
		q.Privacy = core.Privacy
		q.core = len(core.items)
		q.coreRef = core.Ref()
	} else {
		q.coreRef = q.Ref()
	}
	q.build()
	area, err := regions.Niedersachsen()
	if err != nil {
		return nil, err
	}
	q.area = area
	if q.Extends == nil {
		q.core = len(q.items)
	}
	validate(ps, q)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return q, nil
}

// cloneModules copies modules and their items so that building a chamber
// questionnaire never touches the core's own values.
func cloneModules(ms []Module) []Module {
	out := make([]Module, len(ms))
	for i, m := range ms {
		out[i] = m
		out[i].Items = append([]Item(nil), m.Items...)
	}
	return out
}

// build indexes the items in dialog order and joins module conditions.
func (q *Questionnaire) build() {
	q.items = q.items[:0]
	q.index = make(map[string]int)
	for mi := range q.Modules {
		m := &q.Modules[mi]
		for ii := range m.Items {
			it := &m.Items[ii]
			it.module = m
			it.pos = len(q.items)
			it.conds = append(append([]Condition(nil), m.When...), it.When...)
			if it.Type == FreeText && it.MaxLen == 0 {
				it.MaxLen = defaultMaxLen
			}
			if _, dup := q.index[it.ID]; !dup {
				q.index[it.ID] = it.pos
			}
			q.items = append(q.items, it)
		}
	}
}

const (
	defaultMaxLen = 500
	maxMaxLen     = 2000
)

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	// Item ids and option codes travel in Telegram's 64-byte callback data
	// ("o|" + item + "|" + code), so they are kept short.
	itemPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	codePattern = regexp.MustCompile(`^[a-z0-9_]{1,20}$`)
	lineRE      = regexp.MustCompile(`line (\d+)`)
	typeErrRE   = regexp.MustCompile(`field (\S+) not found in type dialogs\.(\w+)`)
)

func yamlErrLine(msg string) int {
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func stripYAMLPrefix(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if i := strings.Index(msg, ": "); i > 0 && strings.HasPrefix(msg, "line ") {
		msg = msg[i+2:]
	}
	return msg
}

// describeTypeError turns yaml's "field x not found in type dialogs.Item"
// into words a chamber's staff can act on.
func describeTypeError(msg string) string {
	if m := typeErrRE.FindStringSubmatch(msg); m != nil {
		where := map[string]string{
			"Questionnaire": "at the top level", "Module": "in a module", "Item": "in an item",
			"Option": "in an option", "Scoring": "in a score block", "Condition": "in a condition",
			"Text": "in a text (only de and en are allowed)", "Field": "in a field", "Ref": "in extends",
		}[m[2]]
		if where == "" {
			where = "in " + m[2]
		}
		return fmt.Sprintf("unknown key %q %s", m[1], where)
	}
	return stripYAMLPrefix(msg)
}

// aliases reports whether the document uses YAML aliases, which would let a
// small file expand into a huge questionnaire.
func aliases(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if aliases(c) {
			return true
		}
	}
	return false
}

// recordLines copies the line numbers of modules and items from the YAML
// node tree, so problems can point at them.
func recordLines(root *yaml.Node, q *Questionnaire) {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	mods := mapValue(doc, "modules")
	if mods == nil || mods.Kind != yaml.SequenceNode {
		return
	}
	for mi, mn := range mods.Content {
		if mi >= len(q.Modules) {
			return
		}
		q.Modules[mi].line = mn.Line
		items := mapValue(mn, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			continue
		}
		for ii, in := range items.Content {
			if ii < len(q.Modules[mi].Items) {
				q.Modules[mi].Items[ii].line = in.Line
			}
		}
	}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
