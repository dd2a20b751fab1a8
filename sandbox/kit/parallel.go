package kit

import (
	"runtime"
	"sync"
)

// Parallel runs fn(i) for i in [0, n) on every CPU, in contiguous chunks;
// seeding large stores is the use. fn must be safe to run concurrently.
func Parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := start; i < end; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
