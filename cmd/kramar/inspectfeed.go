package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/extractors/feeds/fetch"
	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/pipeline"
)

// feedReport is what `kramar inspect feed` prints.
type feedReport struct {
	Source     string   `json:"source"`
	Format     string   `json:"format"`             // yml, cml or unknown
	Encoding   string   `json:"encoding,omitempty"` // what a YML feed was read as
	Bytes      int64    `json:"bytes"`
	Offers     int      `json:"offers"`
	Categories int      `json:"categories"`
	Currencies int      `json:"currencies"`
	Orders     int      `json:"orders"`
	Warnings   []string `json:"warnings"`
	Errors     []string `json:"errors"`
}

func inspectFeedCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "feed PATH|URL [--json]",
		Short: "Parse a YML catalog or a CommerceML orders file and report what is in it",
		Long: "Reads a feed (a local file, file:// or http(s) URL, gzip or not) to its end, as a load would,\n" +
			"and prints its format (yml or cml), counts (offers, categories, currencies, orders),\n" +
			"warnings and errors. Exit code 1 when the feed has errors.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep := inspectFeed(cmd, args[0])
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				format := rep.Format
				if rep.Encoding != "" {
					format += " (" + rep.Encoding + ")"
				}
				fmt.Fprintf(out, "%s: %s, %d bytes: %d offers, %d categories, %d currencies, %d orders\n",
					rep.Source, format, rep.Bytes, rep.Offers, rep.Categories, rep.Currencies, rep.Orders)
				for _, w := range rep.Warnings {
					fmt.Fprintln(out, "warning:", w)
				}
				for _, e := range rep.Errors {
					fmt.Fprintln(out, "error:", e)
				}
			}
			if len(rep.Errors) > 0 {
				return &exitError{1, fmt.Errorf("%s: %d error(s)", rep.Source, len(rep.Errors))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (keys: format, offers, categories, orders, errors, …)")
	return cmd
}

func inspectFeed(cmd *cobra.Command, src string) feedReport {
	rep := feedReport{Source: src, Format: "unknown", Warnings: []string{}, Errors: []string{}}
	fail := func(err error) feedReport {
		rep.Errors = append(rep.Errors, err.Error())
		return rep
	}
	body, meta, _, err := fetch.Open(cmd.Context(), src, fetch.Validators{}, fetch.Options{MaxBytes: pipeline.MaxFeedBytes})
	if err != nil {
		return fail(err)
	}
	defer body.Close()
	rep.Source = meta.Source
	counted := &countingReader{r: body}
	br := bufio.NewReaderSize(counted, 64<<10)
	head, _ := br.Peek(64 << 10)
	switch {
	case bytes.Contains(head, []byte("<yml_catalog")):
		rep.Format = "yml"
		stats, err := yml.Count(cmd.Context(), br, yml.Options{MaxBytes: pipeline.MaxFeedBytes, Name: meta.Source})
		rep.Offers, rep.Categories, rep.Currencies, rep.Encoding = stats.Offers, stats.Categories, stats.Currencies, stats.Encoding
		rep.Warnings = append(rep.Warnings, stats.WarningSamples...)
		if stats.Warnings > len(stats.WarningSamples) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("… %d warnings in all", stats.Warnings))
		}
		if err != nil {
			fail(err)
		}
	default:
		rep.Format = "cml"
		info, err := cml.ReadAll(br, cml.MaxFileBytes)
		if err != nil {
			rep.Format = "unknown"
			if looksLikeCML(head) {
				rep.Format = "cml"
			}
			fail(err)
			break
		}
		rep.Orders = len(info.Documents) + len(info.Containers)
	}
	rep.Bytes = counted.n
	return rep
}

// looksLikeCML spots the CommerceML root in UTF-8 or windows-1251.
func looksLikeCML(head []byte) bool {
	return bytes.Contains(head, []byte("КоммерческаяИнформация")) ||
		bytes.Contains(head, []byte("\xca\xee\xec\xec\xe5\xf0\xf7\xe5\xf1\xea\xe0\xff\xc8\xed\xf4\xee\xf0\xec\xe0\xf6\xe8\xff"))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
