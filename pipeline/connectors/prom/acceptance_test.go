package prom_test

import (
	"testing"

	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestAcceptance(t *testing.T) { pipelinetest.Acceptance(t, promtest.NewDriver) }
