#!/bin/sh
set -e
case "$1" in
  gateway)   main=dev.weft.gateway.GatewayMain ;;
  router)    main=dev.weft.router.RouterMain ;;
  persister) main=dev.weft.persister.PersisterMain ;;
  token)     main=dev.weft.common.TokenCommand ;;
  *) echo "usage: <gateway|router|persister|token> [args]" >&2; exit 2 ;;
esac
shift
exec java -cp "/opt/weft/lib/*" "$main" "$@"
