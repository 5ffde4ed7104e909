package netspec

// Adam holds the optimiser's settings. Zero fields take Keras's defaults.
type Adam struct {
	LR      float64 `json:"lr" yaml:"lr"`
	Beta1   float64 `json:"beta1" yaml:"beta1"`
	Beta2   float64 `json:"beta2" yaml:"beta2"`
	Epsilon float64 `json:"epsilon" yaml:"epsilon"`
}

// WithDefaults fills zero fields: lr 1e-3, betas 0.9 and 0.999, epsilon 1e-7.
func (a Adam) WithDefaults() Adam {
	if a.LR == 0 {
		a.LR = 1e-3
	}
	if a.Beta1 == 0 {
		a.Beta1 = 0.9
	}
	if a.Beta2 == 0 {
		a.Beta2 = 0.999
	}
	if a.Epsilon == 0 {
		a.Epsilon = 1e-7
	}
	return a
}
