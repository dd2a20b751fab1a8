package horoshop_test

import (
	"testing"

	"github.com/kramar/kramar/pipeline/connectors/horoshop/horoshoptest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestAcceptance(t *testing.T) { pipelinetest.Acceptance(t, horoshoptest.NewDriver) }
