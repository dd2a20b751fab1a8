package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// paperA4 is A4 in the paperSize codes of SpreadsheetML (ECMA-376 §18.3.1.63).
const paperA4 = 9

// portraitWidth is how wide (in Excel's character widths) a sheet may be and
// still print upright on A4 at a readable scale; wider sheets print landscape.
const portraitWidth = 95

// printSetup makes a sheet print as an accountant expects: A4, one page
// wide (as many pages tall as it takes), landscape when wide, the header
// row repeated on every page and the sheet's name and month at the top.
func (b *book) printSetup(sheet string, cols []column) error {
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}); err != nil {
		return err
	}
	width := 0.0
	for _, c := range cols {
		width += c.width
	}
	orientation := "portrait"
	if width > portraitWidth {
		orientation = "landscape"
	}
	size, wide, tall := paperA4, 1, 0 // 0: as many pages as the rows need
	if err := b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall,
	}); err != nil {
		return err
	}
	// &A is the sheet's name, &P and &N the page and the page count.
	if err := b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: "&L&A&R" + headerText(b.title),
		OddFooter: "&Cсторінка &P з &N",
	}); err != nil {
		return err
	}
	return b.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: fmt.Sprintf("'%s'!$1:$1", strings.ReplaceAll(sheet, "'", "''")),
	})
}

// headerText escapes & for a page header, where it starts a code.
func headerText(s string) string { return strings.ReplaceAll(s, "&", "&&") }

var monthNames = [...]string{"січень", "лютий", "березень", "квітень", "травень", "червень",
	"липень", "серпень", "вересень", "жовтень", "листопад", "грудень"}

// monthTitle names a month as the page header shows it: "листопад 2026".
func monthTitle(m time.Time) string {
	return fmt.Sprintf("%s %d", monthNames[m.Month()-1], m.Year())
}
