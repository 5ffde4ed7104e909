package netspec

// EpochStats are one epoch's training and validation measures.
type EpochStats struct {
	Epoch   int     `json:"epoch"`
	Loss    float64 `json:"loss"`
	Acc     float64 `json:"acc"`
	ValLoss float64 `json:"val_loss,omitempty"`
	ValAcc  float64 `json:"val_acc,omitempty"`
	Seconds float64 `json:"seconds"`
}

// History is the record of a training run.
type History struct {
	Epochs  []EpochStats `json:"epochs"`
	Stopped string       `json:"stopped,omitempty"` // why training ended early
}
