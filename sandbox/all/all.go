// Package all registers every marketplace simulator `kramar sandbox` can
// serve; import it for effect.
package all

import (
	_ "github.com/kramar/kramar/sandbox/epicentr"
	_ "github.com/kramar/kramar/sandbox/horoshop"
	_ "github.com/kramar/kramar/sandbox/prom"
	_ "github.com/kramar/kramar/sandbox/rozetka"
	_ "github.com/kramar/kramar/sandbox/zakupka"
)
