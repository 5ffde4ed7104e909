package main

import (
	"encoding/binary"
	"encoding/csv"
	"github.com/skybias/skybias/internal/testenv"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPredictMatchesPyTorch exports a network with Debian's PyTorch
// (onnxnet/testdata/export.py), writes its test images as PNG files and
// holds `skybias predict`'s CSV to PyTorch's p(spiral) within 1e-4: the
// whole path a user checks an import with (decoding, input size,
// normalisation from NAME.yaml, the model, the output).
func TestPredictMatchesPyTorch(t *testing.T) {
	py := testenv.Python(t, "torch", "numpy")
	dir := t.TempDir()
	if out, err := exec.Command(py, "../../onnxnet/testdata/export.py", dir).CombinedOutput(); err != nil {
		t.Fatalf("export.py: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "residual.in"))
	if err != nil {
		t.Fatal(err)
	}
	const side = 64
	var files []string
	for i := 0; i < len(raw)/(side*side*3); i++ {
		img := image.NewRGBA(image.Rect(0, 0, side, side))
		for p := range side * side {
			copy(img.Pix[4*p:4*p+3], raw[(i*side*side+p)*3:])
			img.Pix[4*p+3] = 255
		}
		name := filepath.Join(dir, "img"+strconv.Itoa(i)+".png")
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		files = append(files, name)
	}
	csvPath := filepath.Join(dir, "p.csv")
	args := append([]string{"predict", filepath.Join(dir, "residual.onnx"), "-o", csvPath}, files...)
	if out, code := run(t, args...); code != 0 {
		t.Fatalf("predict: exit %d\n%s", code, out)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "residual.out"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(files)+1 || strings.Join(rows[0], ",") != "file,p_spiral" {
		t.Fatalf("CSV %v", rows)
	}
	for i, r := range rows[1:] {
		got, _ := strconv.ParseFloat(r[1], 64)
		w := float64(math.Float32frombits(binary.LittleEndian.Uint32(want[4*i:])))
		if r[0] != files[i] || math.Abs(got-w) > 1e-4 {
			t.Errorf("row %d: %v, PyTorch %.6f", i+1, r, w)
		}
	}
	// The flags override the spec beside the model: torchvision's
	// normalisation dropped, the answers change.
	out, code := run(t, "predict", filepath.Join(dir, "residual.onnx"), "--mean", "0,0,0", "--std", "1,1,1", files[0])
	if code != 0 || strings.Contains(out, rows[1][1]) {
		t.Errorf("--mean/--std did not change the answer %s: exit %d\n%s", rows[1][1], code, out)
	}
	// The same network labels a source into a catalog (annotate), whose
	// p_spiral equal predict's for the same galaxies.
	cat := filepath.Join(dir, "cat.csv")
	if out, code := run(t, "annotate", filepath.Join(dir, "residual.onnx"), "--source", "../../experiments/surveys/null.yaml",
		"--regions", "f1", "--n", "12", "--out", cat); code != 0 {
		t.Fatalf("annotate: exit %d\n%s", code, out)
	}
	f, err = os.Open(cat)
	if err != nil {
		t.Fatal(err)
	}
	catRows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(catRows) != 13 || catRows[0][4] != "p_spiral" {
		t.Fatalf("catalog: %v %v", err, catRows)
	}
	for _, r := range catRows[1:] {
		if p, err := strconv.ParseFloat(r[4], 64); err != nil || p <= 0 || p >= 1 {
			t.Errorf("catalog row %v", r)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"annotate", filepath.Join(dir, "residual.onnx"), "--out", cat + "2"}, "needs --source"},
		{[]string{"predict", filepath.Join(dir, "residual.onnx")}, "give image files or --source"},
		{[]string{"predict", filepath.Join(dir, "residual.onnx"), "--std", "1,2", files[0]}, "want three numbers"},
		{[]string{"predict", filepath.Join(dir, "residual.onnx"), "--activation", "relu", files[0]}, `output.activation: "relu"`},
		{[]string{"predict", filepath.Join(dir, "residual.onnx"), "-o", dir, files[0]}, "is a folder"},
		{[]string{"predict", filepath.Join(dir, "residual.onnx"), "/dev/zero"}, "not a regular file"},
		{[]string{"predict", filepath.Join(dir, "residual.in"), files[0]}, "not a skybias checkpoint"},
	} {
		if out, code := run(t, c.args...); code == 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, output lacks %q:\n%s", c.args[1:], code, c.want, out)
		}
	}
}
