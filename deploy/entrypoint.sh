#!/bin/sh
set -e
# WEFT_DEV relaxes what a service requires and serves a token-minting route: it is for ./weft dev on a laptop,
# never for this image.
case "${WEFT_DEV:-0}" in
  0|"") ;;
  *) echo "weft: WEFT_DEV=$WEFT_DEV is for ./weft dev only; this image refuses it (unset WEFT_DEV)" >&2; exit 2 ;;
esac
case "$1" in
  gateway)   main=dev.weft.gateway.GatewayMain ;;
  router)    main=dev.weft.router.RouterMain ;;
  persister) main=dev.weft.persister.PersisterMain ;;
  token)     main=dev.weft.common.TokenCommand ;;
  *) echo "usage: <gateway|router|persister|token> [args]" >&2; exit 2 ;;
esac
shift
exec java -cp "/opt/weft/lib/*" "$main" "$@"
