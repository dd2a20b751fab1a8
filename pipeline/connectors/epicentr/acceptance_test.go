package epicentr_test

import (
	"testing"

	"github.com/kramar/kramar/pipeline/connectors/epicentr/epicentrtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestAcceptance(t *testing.T) { pipelinetest.Acceptance(t, epicentrtest.NewDriver) }
