package findings

import (
	"bytes"
	"encoding"
	"encoding/csv"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// FlatCSV writes a slice of row structs (ComparisonRow, ProbeRow,
// AnisotropyRow) as CSV whose columns are the rows' JSON names in field
// order: one schema for summary.json and the CSV files, so a field added
// to a row appears in both. Numbers are written in full (the shortest
// text that reads back as the same float64), a missing or non-finite
// value as an empty cell, a list of words joined by ";". pandas reads
// the files as they are.
func FlatCSV(rows any) ([]byte, error) {
	v := reflect.ValueOf(rows)
	if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("flat CSV: want a slice of rows, not %s", v.Kind())
	}
	t := v.Type().Elem()
	var names []string
	var idx []int
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		if tag == "" || tag == "-" || !t.Field(i).IsExported() {
			continue
		}
		if !flatKind(t.Field(i).Type) {
			return nil, fmt.Errorf("flat CSV: column %s holds a %s, which has no flat form", tag, t.Field(i).Type)
		}
		names, idx = append(names, tag), append(idx, i)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(names)
	rec := make([]string, len(idx))
	for r := 0; r < v.Len(); r++ {
		for j, i := range idx {
			rec[j] = cell(v.Index(r).Field(i))
		}
		w.Write(rec)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

// flatKind says whether a field's type has a one-cell form: a value that
// writes itself as text (a verdict), a number, a word, or a list of them.
func flatKind(t reflect.Type) bool {
	if t.Implements(textMarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer:
		return flatKind(t.Elem())
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.String || t.Elem().Kind() == reflect.Int
	}
	return false
}

func cell(v reflect.Value) string {
	if v.Type().Implements(textMarshaler) && (v.Kind() != reflect.Pointer || !v.IsNil()) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err == nil {
			return string(b)
		}
		return ""
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return cell(v.Elem())
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return ""
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = cell(v.Index(i))
		}
		return strings.Join(parts, ";")
	}
	return ""
}
