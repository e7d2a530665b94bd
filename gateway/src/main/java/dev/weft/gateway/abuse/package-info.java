/**
 * Limits on what one client address or one user may cost a gateway: per-address connection and request rates, the
 * client address behind trusted proxies, and the deadline for a request head (see {@code AbuseLimits}).
 */
package dev.weft.gateway.abuse;
