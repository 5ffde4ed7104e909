package cnn

import (
	"strconv"
	"strings"
)

// fmtSscan reads the trailing number of a synthetic galaxy ID.
func fmtSscan(id string, n *int) (int, error) {
	v, err := strconv.Atoi(id[strings.LastIndexByte(id, '-')+1:])
	*n = v
	return 1, err
}
