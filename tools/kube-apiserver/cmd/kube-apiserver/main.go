// Command kube-apiserver is upstream's k8s.io/kubernetes/cmd/kube-apiserver (v1.28, same imports,
// same command) with one addition: it exits when the launcher that started it is gone
// (internal/parentwatch, only when KIN_EXIT_WITH_STDIN=1).
package main

import (
	"os"
	_ "time/tzdata" // for timeZone support in CronJob

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // load all the prometheus client-go plugins
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kube-apiserver/app"

	"kin.local/tools/kube-apiserver/internal/parentwatch"
)

func main() {
	parentwatch.Start()
	command := app.NewAPIServerCommand()
	code := cli.Run(command)
	os.Exit(code)
}
