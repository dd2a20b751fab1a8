// Package all registers every marketplace connector; import it for effect.
package all

import (
	_ "github.com/kramar/kramar/pipeline/connectors/declarative"
	_ "github.com/kramar/kramar/pipeline/connectors/epicentr"
	_ "github.com/kramar/kramar/pipeline/connectors/horoshop"
	_ "github.com/kramar/kramar/pipeline/connectors/prom"
	_ "github.com/kramar/kramar/pipeline/connectors/rozetka"
	_ "github.com/kramar/kramar/pipeline/connectors/zakupka"
)
