// Package reports writes the accountants' Excel workbooks from the warehouse
// views: expenses (v_expenses: a summary sheet and a sheet per store),
// orders per day and marketplace (v_orders, with a revenue chart) and
// royalties per order (v_royalties). Rows are streamed from ClickHouse into
// excelize's StreamWriter, so a month of a million rows is never held in
// memory; cells are typed (dates, numbers, hryvnia amounts), totals are SUM
// formulas, and a table longer than a sheet continues on "name (2)".
package reports
