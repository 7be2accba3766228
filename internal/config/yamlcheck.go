package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxExpandedNodes bounds what a configuration's aliases may expand to. A
// real configuration has a few hundred values; ten levels of ten aliases
// each (a "billion laughs" file) expand to 10^10.
const maxExpandedNodes = 100_000

// checkAliases refuses a document whose aliases would expand past
// maxExpandedNodes, counting each anchored value once (memoised) so that
// the count itself costs no more than the file's size.
func checkAliases(root *yaml.Node) error {
	memo := map[*yaml.Node]int{}
	var size func(n *yaml.Node, depth int) int
	size = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if v, ok := memo[n]; ok {
			return v
		}
		if depth > 1000 { // an alias cycle, or nesting no configuration has
			return maxExpandedNodes + 1
		}
		total := 1
		if n.Kind == yaml.AliasNode {
			total = size(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			total += size(c, depth+1)
			if total > maxExpandedNodes {
				break
			}
		}
		memo[n] = total
		return total
	}
	if size(root, 0) <= maxExpandedNodes {
		return nil
	}
	line := 0
	var find func(n *yaml.Node)
	find = func(n *yaml.Node) {
		if line != 0 || n == nil {
			return
		}
		if n.Kind == yaml.AliasNode && memo[n] > maxExpandedNodes/100 {
			line = n.Line
			return
		}
		for _, c := range n.Content {
			find(c)
		}
	}
	find(root)
	return fmt.Errorf("invalid configuration: line %d: its anchors and aliases expand to over %d values; a configuration is never that large (write the values out, or use fewer nested aliases)", line, maxExpandedNodes)
}

// topEntry returns the value of a top-level key of the document, or nil.
func topEntry(root *yaml.Node, key string) *yaml.Node {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == key {
			return doc.Content[i+1]
		}
	}
	return nil
}

// topLine is the line of a top-level key's value (0 if absent).
func topLine(root *yaml.Node, key string) int {
	if v := topEntry(root, key); v != nil {
		return v.Line
	}
	return 0
}

// topValue is a top-level key's value as written (".nan" rather than the
// NaN it decodes to), quoted.
func topValue(root *yaml.Node, key string) string {
	v := topEntry(root, key)
	if v != nil && v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	if v == nil {
		return `""`
	}
	return fmt.Sprintf("%q", v.Value)
}

// documentLine is where a document starts: the line of its "---" marker
// when its first value is on the line after it.
func documentLine(doc *yaml.Node) int {
	if doc.Line > 0 {
		return doc.Line
	}
	if len(doc.Content) > 0 {
		return doc.Content[0].Line
	}
	return 0
}
