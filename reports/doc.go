// Package reports will hold the accountants' Excel reports (excelize
// StreamWriter: typed cells, totals, one sheet per month and store) built
// from the warehouse views. Nothing is exported yet: the reports arrive with
// the royalties → expense rows work (issue 8).
package reports
