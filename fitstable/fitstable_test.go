package fitstable

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func sample(t testing.TB) []byte {
	cols := []Column{{Name: "id", Kind: 'A', Width: 12}, {Name: "ra", Kind: 'D', Unit: "deg"}, {Name: "dec", Kind: 'D', Unit: "deg"},
		{Name: "p_spiral", Kind: 'D'}, {Name: "n", Kind: 'J'}, {Name: "f", Kind: 'E'}, {Name: "big", Kind: 'K'}}
	ids := []string{"g1", "a'b", "longer-than-twelve"}
	var b bytes.Buffer
	err := Write(&b, "CATALOG", cols, []Card{{"ORIGIN", "skybias", "who wrote it"}, {"RESULT", "0123456789ab", ""}, {"NNET", 3, ""}}, 3,
		func(i int, nums []float64, strs []string) error {
			strs[0] = ids[i]
			nums[1], nums[2] = 10.5+float64(i), -5.25
			if i != 1 {
				nums[3] = 0.125 * float64(i)
			}
			nums[4], nums[5], nums[6] = float64(i-1), 0.5, 1<<40
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	b := sample(t)
	if len(b)%blockSize != 0 {
		t.Fatalf("file of %d bytes is not whole 2880-byte blocks", len(b))
	}
	tb, err := Read(bytes.NewReader(b), "sample", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Name != "CATALOG" || tb.Rows != 3 || len(tb.Columns) != 7 || tb.Keys["ORIGIN"] != "skybias" || tb.Keys["NNET"] != "3" {
		t.Fatalf("table %q, %d rows, %d columns, keys %v", tb.Name, tb.Rows, len(tb.Columns), tb.Keys)
	}
	for _, c := range []struct {
		row, col int
		want     string
	}{
		{0, 0, "g1"}, {1, 0, "a'b"}, {2, 0, "longer-than-"}, // cut at its width
		{0, 1, "10.5"}, {2, 2, "-5.25"}, {1, 3, ""}, {2, 3, "0.25"}, {0, 4, "-1"}, {2, 5, "0.5"}, {1, 6, "1099511627776"},
	} {
		if got := tb.Text(c.row, c.col); got != c.want {
			t.Errorf("cell (%d, %s): %q, want %q", c.row, tb.Columns[c.col].Name, got, c.want)
		}
	}
	if tb.Columns[1].Unit != "deg" || tb.Index("P_SPIRAL") != 3 || tb.Index("none") != -1 {
		t.Errorf("unit %q, index of P_SPIRAL %d", tb.Columns[1].Unit, tb.Index("P_SPIRAL"))
	}
	if !math.IsNaN(tb.Floats(3)[1]) {
		t.Error("a missing double does not read back as NaN")
	}
}

// TestCards checks the fixed format: keyword in columns 1-8, "= " in
// 9-10, strings quoted from column 11, numbers and logicals ending in
// column 30, no scaling keywords, lower-case names kept.
func TestCards(t *testing.T) {
	b := string(sample(t))
	for _, want := range []string{
		"SIMPLE  =                    T", "NAXIS   =                    0", "XTENSION= 'BINTABLE'",
		"TTYPE1  = 'id      '", "TFORM1  = '12A     '", "TTYPE4  = 'p_spiral'", "TUNIT2  = 'deg     '", "EXTNAME = 'CATALOG '",
		"NAXIS1  =                   52",
	} {
		if !strings.Contains(b, want) {
			t.Errorf("header lacks %q", want)
		}
	}
	for _, bad := range []string{"TSCAL", "TZERO", "TBCOL", "NAXIS1  =                    0 /"} {
		if strings.Contains(b, bad) {
			t.Errorf("header has %q", bad)
		}
	}
	if i := strings.Index(b, "NAXIS1"); i >= 0 && i < blockSize {
		t.Error("the primary header has NAXIS1")
	}
}

func TestRefuses(t *testing.T) {
	good := sample(t)
	for _, c := range []struct {
		name string
		data []byte
		max  int64
		want string
	}{
		{"empty", nil, 1 << 20, "ends before END"},
		{"not FITS", bytes.Repeat([]byte("x"), blockSize), 1 << 20, "ends before END"},
		{"truncated rows", good[:2*blockSize+10], 1 << 20, "row 1 of 3"},
		{"over the limit", good, 10, "exceed the limit"},
		{"bad TFORM", bytes.Replace(good, []byte("TFORM2  = 'D       '"), []byte("TFORM2  = 'Q       '"), 1), 1 << 20, "column 2 (ra)"},
		{"vector column", bytes.Replace(good, []byte("TFORM2  = 'D       '"), []byte("TFORM2  = '2D      '"), 1), 1 << 20, "one value a row"},
		{"open quote", bytes.Replace(good, []byte("EXTNAME = 'CATALOG '"), []byte("EXTNAME = 'CATALOG  "), 1), 1 << 20, "closing quote"},
	} {
		_, err := Read(bytes.NewReader(c.data), "f.fits", c.max)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		cols []Column
		keys []Card
		want string
	}{
		{"no columns", nil, nil, "0 columns"},
		{"text of no width", []Column{{Name: "s", Kind: 'A'}}, nil, "width 0"},
		{"unknown kind", []Column{{Name: "x", Kind: 'Q'}}, nil, "kind"},
		{"long keyword", []Column{{Name: "x", Kind: 'D'}}, []Card{{"TOOLONGKEY", 1, ""}}, "1 to 8"},
		{"NaN keyword", []Column{{Name: "x", Kind: 'D'}}, []Card{{"X", math.NaN(), ""}}, "not a finite number"},
		{"control character", []Column{{Name: "x", Kind: 'D'}}, []Card{{"X", "a\nb", ""}}, "cannot hold"},
	} {
		err := Write(&bytes.Buffer{}, "T", c.cols, c.keys, 0, func(int, []float64, []string) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// FuzzRead: any bytes either fail with an error or give a table whose
// cells can all be read.
func FuzzRead(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte("SIMPLE  =                    T"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := Read(bytes.NewReader(b), "fuzz", 1<<20)
		if err != nil {
			return
		}
		for r := 0; r < tb.Rows; r++ {
			for i := range tb.Columns {
				_ = tb.Text(r, i)
			}
		}
	})
}
