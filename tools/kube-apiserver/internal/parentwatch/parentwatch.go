// Package parentwatch ends a server process when the process that started it is gone, so that a
// test runner killed mid-run (SIGKILL, a crash, a worker torn down on a timeout) leaves no etcd or
// kube-apiserver behind. The launcher keeps the child's standard input open as a pipe and sets
// KIN_EXIT_WITH_STDIN=1; the pipe reaches end of file only when every copy of its write end is
// closed, which happens when the parent exits however it exits. Then the folder named by
// KIN_REMOVE_ON_PARENT_EXIT (the launcher's temporary folder, when set) is removed and the process
// exits. Without KIN_EXIT_WITH_STDIN the commands behave exactly as upstream's.
package parentwatch

import (
	"fmt"
	"io"
	"os"
)

// Start watches standard input in the background when KIN_EXIT_WITH_STDIN=1.
func Start() {
	if os.Getenv("KIN_EXIT_WITH_STDIN") != "1" {
		return
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		if dir := os.Getenv("KIN_REMOVE_ON_PARENT_EXIT"); dir != "" {
			_ = os.RemoveAll(dir)
		}
		fmt.Fprintln(os.Stderr, "parentwatch: standard input closed (the launcher is gone): exiting")
		os.Exit(3)
	}()
}
