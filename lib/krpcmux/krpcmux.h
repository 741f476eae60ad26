/*
 * libkrpcmux: a C client library for kRPC servers and the krpcmux proxy.
 * Include this one header; link with `pkg-config --libs libkrpcmux`.
 * Layers: values and types (value.h), errors (error.h), the client and
 * calls (client.h), the server's status (status.h), the service model
 * (services.h), streams (stream.h), events (event.h) and expressions
 * (expr.h).  See libkrpcmux(3).
 */
#ifndef KRPCMUX_KRPCMUX_H
#define KRPCMUX_KRPCMUX_H

#include "common.h"
#include "value.h"
#include "error.h"
#include "services.h"
#include "client.h"
#include "status.h"
#include "stream.h"
#include "event.h"
#include "expr.h"

#endif
