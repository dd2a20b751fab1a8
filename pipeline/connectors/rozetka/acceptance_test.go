package rozetka_test

import (
	"testing"

	"github.com/kramar/kramar/pipeline/connectors/rozetka/rozetkatest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestAcceptance(t *testing.T) { pipelinetest.Acceptance(t, rozetkatest.NewDriver) }
