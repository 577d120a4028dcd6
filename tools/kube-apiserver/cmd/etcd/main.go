// Command etcd is etcd's own server (etcdmain, the entry point of the etcd binary) from
// go.etcd.io/etcd/server/v3 at the 3.5 release that kube-apiserver v1.28 is built against, so that
// kin's tests can run a real kube-apiserver without downloading a release binary. One addition: it
// exits when the launcher that started it is gone (internal/parentwatch, only when
// KIN_EXIT_WITH_STDIN=1).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"

	"kin.local/tools/kube-apiserver/internal/parentwatch"
)

func main() {
	parentwatch.Start()
	etcdmain.Main(os.Args)
}
