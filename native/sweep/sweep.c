/*
 * The TCP connect sweep in C (issue 21): the same sweep as src/live/sweep.ts, whose header comment
 * gives its semantics, run the way nmap's connect scan runs: non-blocking sockets and epoll, off
 * the JS thread (napi async work), so a port costs a socket, a connect, an epoll event and a close,
 * and no JavaScript object. Linux only (epoll); src/live/sweep-native.ts marshals the jobs and
 * builds the outcomes, and falls back to the JS sweep wherever this does not load.
 *
 * Workers: on a machine with two processors the sweep runs two threads (the async work's and one
 * more), each with its own epoll set and the sockets it opened, sharing under one mutex the queue,
 * the window (in flight ≤ limit, halved by a back-off), the RTO estimate, the rate's clock and the
 * pinned source ports' state: one sweep run by two loops, never two sweeps. Where the kernel
 * handles the answer inside connect() (loopback, a veth: the SYN, the peer's answer and the
 * connection's state change all run in connect's own softirq), a poll() right after it reads the
 * result and the socket never joins the epoll set (issue 21: (c) 10,002 resets in ~0.85 of the
 * time on one thread; the RTT is then measured without an epoll turn in it).
 *
 * sweep(hosts: string[], meta: Int32Array, ranges: Int32Array, opts: Float64Array,
 *       progress: ((done: number) => void) | undefined, out: [code, attempts, order, rtt, sport])
 *   → Promise<stats: Float64Array>
 * - hosts: the IP literals of every host and local address the jobs name;
 * - meta: per job [host index, port, local address index or -1, first range (pair index), range
 *   count, source-port state index] (jobs that are the same object share one state, as the JS
 *   sweep's Map keyed by the job does);
 * - ranges: [from, to] pairs of the jobs' localPorts;
 * - opts: [maxInFlight, rate, initialTimeoutMs, minTimeoutMs, retries, threads?] (threads: 0 or
 *   absent for the default, see sweep_threads);
 * - out: the caller's typed arrays, one entry per job, written as each job ends: code (0
 *   connected, -1 timeout, else the errno: the JS side names it as Node does, from
 *   os.constants.errno), attempts, rtt in ms (NaN for a timeout), sport (-1 when no source port
 *   was pinned), and order: the jobs in the order they ended. A progress call's `done` says that
 *   order[0 … done) and those jobs' entries are written (the call is made under the sweep's lock
 *   after them), so the JS thread reads outcomes while the sweep runs (issue 21);
 * - stats: [attempts, retries, backoffs, finalTimeoutMs, loopDelayMaxMs, loopDelayP99Ms].
 *
 * The JS sweep's lag awareness (a timer yields to the poll phase before it decides) is here: the
 * epoll queue is drained (epoll_wait until it returns less than a full batch) before any deadline is
 * looked at, so an answer that arrived is never overtaken by its timeout. The "loop delay" is the
 * time one turn of this loop takes (what an answer can wait before it is read), its p99 the floor of
 * the timeout as in the JS sweep.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BURST 128
#define MAX_EVENTS 256
#define MAX_THREADS 2
#define MIN_JOBS_PER_THREAD 512
#define LAG_BINS 10000 /* 0.1 ms each: up to 1 s, above that in the last one */

typedef struct {
  int family;
  socklen_t len;
  struct sockaddr_storage sa;
} addr_t;

typedef struct {
  int i, n, b;
} item_t;

typedef struct {
  int fd; /* -1: free */
  int i, n, port_tries, backoffs, lp;
  double t0, deadline;
} slot_t;

typedef struct {
  int r, p, started;
} local_state_t;

typedef struct sweep sweep_t;

/* One thread of the sweep: its own epoll set and the slots of the attempts it started. */
typedef struct {
  sweep_t* s;
  int epfd;
  slot_t* slots;
  int nslots, *free_slots, nfree, active;
  int stop_start; /* a back-off in this turn: start no more until the next one */
  pthread_t thread;
} worker_t;

/* An attempt that ended, waiting to be recorded under the lock. */
typedef struct {
  int i, n, port_tries, backoffs, lp;
  double t0;
  int code;
} ended_t;

struct sweep {
  /* input */
  int njobs, nhosts, nranges, nstates, nthreads;
  addr_t* hosts;
  int32_t* meta; /* 6 per job */
  int32_t* ranges;
  double max_in_flight, rate, initial, min_timeout;
  int retries;
  /* output, in the caller's typed arrays (kept alive by `out_ref` until the end): read by the JS
     thread while the sweep runs, entry order[k] once k < the done count a progress call gave */
  int32_t* code;
  int32_t* attempts;
  double* rtt;
  int32_t* sport;
  int32_t* order;
  napi_ref out_ref;
  double stats[6];
  char error[160];
  /* running state, shared by the workers under `mu`: one queue, one window, one RTO */
  pthread_mutex_t mu;
  pthread_cond_t wake;
  int idle; /* workers waiting on `wake` */
  item_t* queue;
  int qhead, qlen, qcap;
  local_state_t* local;
  int in_flight, limit, done;
  double next_start;
  double srtt, rttvar;
  int have_srtt;
  double lag_floor;
  uint32_t lag_hist[LAG_BINS];
  uint64_t lag_count;
  double lag_max;
  worker_t* workers;
  /* N-API */
  napi_async_work work;
  napi_deferred deferred;
  napi_threadsafe_function tsfn;
  int reported;
  double last_report;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* RFC 6298, as the JS sweep's Rto class. */
static void rto_sample(sweep_t* s, double ms) {
  if (!s->have_srtt) {
    s->have_srtt = 1;
    s->srtt = ms;
    s->rttvar = ms / 2;
  } else {
    s->rttvar = 0.75 * s->rttvar + 0.25 * fabs(s->srtt - ms);
    s->srtt = 0.875 * s->srtt + 0.125 * ms;
  }
}

static double rto_timeout(const sweep_t* s) {
  if (!s->have_srtt) return fmax(s->initial, s->lag_floor);
  double var = 4 * s->rttvar;
  double rto = s->srtt + (var > 10 ? var : 10);
  return fmax(fmax(s->min_timeout, s->lag_floor), fmin(s->initial, rto));
}

static double lag_percentile(const sweep_t* s, double pct) {
  if (s->lag_count == 0) return 0;
  uint64_t want = (uint64_t)ceil(s->lag_count * pct / 100.0), seen = 0;
  for (int k = 0; k < LAG_BINS; k++) {
    seen += s->lag_hist[k];
    if (seen >= want) return (k + 1) * 0.1;
  }
  return s->lag_max;
}

/* Wakes the workers waiting for work or for room in the window (under the lock). */
static void wake_idle(sweep_t* s) {
  if (s->idle > 0) pthread_cond_broadcast(&s->wake);
}

static void push(sweep_t* s, int i, int n, int b) {
  if (s->qlen == s->qcap) {
    if (s->qhead > 0) {
      memmove(s->queue, s->queue + s->qhead, (size_t)(s->qlen - s->qhead) * sizeof(item_t));
      s->qlen -= s->qhead;
      s->qhead = 0;
    }
    if (s->qlen == s->qcap) {
      s->qcap *= 2;
      s->queue = realloc(s->queue, (size_t)s->qcap * sizeof(item_t));
    }
  }
  s->queue[s->qlen++] = (item_t){i, n, b};
  wake_idle(s);
}

/* The next pinned source port of a job (the JS sweep's localPort()), or -1. */
static int local_port(sweep_t* s, int i) {
  const int32_t* m = s->meta + 6 * i;
  if (m[4] <= 0) return -1;
  local_state_t* at = &s->local[m[5]];
  const int32_t* r0 = s->ranges + 2 * m[3];
  if (!at->started) {
    at->started = 1;
    at->r = 0;
    at->p = r0[0];
  }
  const int32_t* range = r0 + 2 * at->r;
  int port = at->p;
  if (at->p < range[1])
    at->p++;
  else {
    at->r = (at->r + 1) % m[4];
    at->p = r0[2 * at->r];
  }
  return port;
}

static int is_backoff(int e) {
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == EADDRNOTAVAIL || e == ENOMEM;
}

static void report_progress(sweep_t* s, int force) {
  if (!s->tsfn) return;
  double t = now_ms();
  if (!force && s->done - s->reported < 64 && t - s->last_report < 50) return;
  s->reported = s->done;
  s->last_report = t;
  napi_call_threadsafe_function(s->tsfn, (void*)(intptr_t)s->done, napi_tsfn_nonblocking);
}

static void attempt(worker_t* w, int i, int n, int port_tries, int backoffs);

/*
 * An attempt's end (the JS sweep's end()), under the lock: code 0 connected, -1 timeout, else an
 * errno. The socket is already closed.
 */
static void finish_attempt(worker_t* w, const ended_t* e) {
  sweep_t* s = w->s;
  int code = e->code;
  s->in_flight--;
  if (code > 0 && is_backoff(code) && e->backoffs < 20) {
    s->stats[2]++;
    int half = s->limit / 2;
    s->limit = half > 16 ? half : 16;
    push(s, e->i, e->n, e->backoffs + 1);
    s->stats[0]--;
    w->stop_start = 1; /* as the JS sweep: the sockets in flight end before more start */
  } else if (code == EADDRINUSE && e->lp >= 0 && e->port_tries < 64) {
    s->stats[0]--;
    attempt(w, e->i, e->n, e->port_tries + 1, e->backoffs);
  } else if (code == -1 && e->n < s->retries) {
    s->stats[1]++;
    push(s, e->i, e->n + 1, 0);
  } else {
    double rtt = now_ms() - e->t0;
    if (code == 0 || code == ECONNREFUSED) rto_sample(s, rtt);
    s->code[e->i] = code;
    s->attempts[e->i] = e->n + 1;
    s->rtt[e->i] = code == -1 ? NAN : round(rtt * 100) / 100;
    s->sport[e->i] = e->lp;
    s->order[s->done] = e->i;
    s->done++;
    report_progress(s, s->done == s->njobs);
    if (s->done == s->njobs) pthread_cond_broadcast(&s->wake);
  }
  wake_idle(s); /* room in the window */
}

static void close_slot(worker_t* w, int k, int reset) {
  slot_t* sl = &w->slots[k];
  if (reset) {
    struct linger lg = {1, 0};
    setsockopt(sl->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  close(sl->fd); /* also leaves the epoll set */
  sl->fd = -1;
  w->free_slots[w->nfree++] = k;
  w->active--;
}

/* A connect's result as libuv reads it (SO_ERROR): EINPROGRESS while the handshake runs. */
static int connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  /* ECONNRESET on a connect: the handshake completed and the peer reset it (open), as sweep.ts. */
  return err == ECONNRESET ? 0 : err;
}

/*
 * Starts one attempt. Called and returns with the lock held; the system calls run without it. An
 * attempt that ends at once (a local error, or an answer the kernel handled inside connect, as over
 * loopback or a veth) is recorded here; else its socket joins this worker's epoll set.
 */
static void attempt(worker_t* w, int i, int n, int port_tries, int backoffs) {
  sweep_t* s = w->s;
  const int32_t* m = s->meta + 6 * i;
  const addr_t* dst = &s->hosts[m[0]];
  const addr_t* src = m[2] >= 0 ? &s->hosts[m[2]] : NULL;
  s->in_flight++;
  s->stats[0]++;
  if ((long long)s->stats[0] % 256 == 0) s->lag_floor = lag_percentile(s, 99);
  int lp = local_port(s, i);
  double timeout = ceil(rto_timeout(s) * pow(2, n));
  pthread_mutex_unlock(&s->mu);

  double t0 = now_ms();
  ended_t e = {i, n, port_tries, backoffs, lp, t0, 0};
  int fd = socket(dst->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    e.code = errno;
    goto ended;
  }
  if (src != NULL || lp >= 0) {
    /* As libuv's uv_tcp_bind (Node's localAddress/localPort): SO_REUSEADDR, then bind. */
    struct sockaddr_storage local;
    socklen_t len;
    if (src != NULL) {
      local = src->sa;
      len = src->len;
    } else {
      memset(&local, 0, sizeof local);
      local.ss_family = (sa_family_t)dst->family;
      len = dst->len;
    }
    if (local.ss_family == AF_INET)
      ((struct sockaddr_in*)&local)->sin_port = htons((uint16_t)(lp >= 0 ? lp : 0));
    else
      ((struct sockaddr_in6*)&local)->sin6_port = htons((uint16_t)(lp >= 0 ? lp : 0));
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(fd, (struct sockaddr*)&local, len) != 0) {
      e.code = errno;
      close(fd);
      goto ended;
    }
  }
  struct sockaddr_storage to = dst->sa;
  if (dst->family == AF_INET)
    ((struct sockaddr_in*)&to)->sin_port = htons((uint16_t)m[1]);
  else
    ((struct sockaddr_in6*)&to)->sin6_port = htons((uint16_t)m[1]);
  int rc = connect(fd, (const struct sockaddr*)&to, dst->len);
  if (rc != 0 && errno != EINPROGRESS) {
    e.code = errno == ECONNRESET ? 0 : errno;
    close(fd);
    goto ended;
  }
  if (rc != 0) {
    /* Over a fast path the answer was often handled inside connect itself: ask at once, before
       the socket joins the epoll set. A refusal is in SO_ERROR already (one call); a socket with
       none is connected when it polls writable, still connecting when it polls as nothing. */
    e.code = connect_result(fd);
    if (e.code != 0) {
      rc = 0;
    } else {
      struct pollfd pf = {fd, POLLOUT, 0};
      if (poll(&pf, 1, 0) == 1 && pf.revents != 0) {
        /* An error or hang-up after the first look (a reset just now): read it as epoll would. */
        if (pf.revents & (POLLERR | POLLHUP)) e.code = connect_result(fd);
        rc = 0;
      }
    }
  }
  if (rc == 0) {
    if (e.code == 0) {
      struct linger lg = {1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(fd);
    goto ended;
  }
  int k = w->free_slots[--w->nfree];
  slot_t* sl = &w->slots[k];
  *sl = (slot_t){fd, i, n, port_tries, backoffs, lp, t0, t0 + timeout};
  w->active++;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)k};
  if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    e.code = errno;
    close_slot(w, k, 0);
    goto ended;
  }
  pthread_mutex_lock(&s->mu);
  return;
ended:
  pthread_mutex_lock(&s->mu);
  finish_attempt(w, &e);
}

/* Reads every answer that arrived (epoll_wait until less than a full batch), without the lock. */
static int drain(worker_t* w, struct epoll_event* evs, int wait_ms, ended_t* ended, int* nended) {
  int got, total = 0;
  do {
    got = epoll_wait(w->epfd, evs, MAX_EVENTS, wait_ms);
    if (got < 0) {
      if (errno == EINTR) {
        got = MAX_EVENTS; /* try again, without waiting */
        wait_ms = 0;
        continue;
      }
      return -1;
    }
    for (int e = 0; e < got; e++) {
      int k = (int)evs[e].data.u32;
      slot_t* sl = &w->slots[k];
      if (sl->fd < 0) continue;
      int code = connect_result(sl->fd);
      if (code == EINPROGRESS) continue;
      ended[(*nended)++] = (ended_t){sl->i, sl->n, sl->port_tries, sl->backoffs, sl->lp, sl->t0, code};
      close_slot(w, k, code == 0);
    }
    total += got;
    wait_ms = 0;
  } while (got == MAX_EVENTS); /* a slot ends once a turn: `ended` holds nslots */
  return total;
}

static void* work_loop(void* arg) {
  worker_t* w = arg;
  sweep_t* s = w->s;
  struct epoll_event evs[MAX_EVENTS];
  /* Every slot can end in one turn (answers and deadlines): room for all of them. */
  ended_t* ended = malloc((size_t)w->nslots * sizeof(ended_t));
  double gap = s->rate > 0 ? 1000 / s->rate : 0;
  pthread_mutex_lock(&s->mu);
  while (s->done < s->njobs && !s->error[0]) {
    /* Start up to BURST connects, then read answers: an RTT is never one whole window's work. */
    double rate_wait = -1;
    int started = 0;
    w->stop_start = 0;
    while (s->in_flight < s->limit && s->qhead < s->qlen && started < BURST && !w->stop_start) {
      if (gap > 0) {
        double now = now_ms();
        if (now < s->next_start) {
          rate_wait = s->next_start - now;
          break;
        }
        s->next_start = fmax(s->next_start + gap, now);
      }
      item_t it = s->queue[s->qhead++];
      started++;
      attempt(w, it.i, it.n, 0, it.b);
    }
    if (s->done >= s->njobs || s->error[0]) break;
    if (s->in_flight == 0 && s->qhead >= s->qlen) {
      snprintf(s->error, sizeof s->error, "sweep stopped with %d of %d jobs done", s->done, s->njobs);
      pthread_cond_broadcast(&s->wake);
      break;
    }
    /* How long to wait: 0 while more can start, else until the first deadline or the rate's gap. */
    double now = now_ms();
    double first = INFINITY;
    if (w->active > 0)
      for (int k = 0; k < w->nslots; k++)
        if (w->slots[k].fd >= 0 && w->slots[k].deadline < first) first = w->slots[k].deadline;
    double wait = first - now;
    int can_start = s->in_flight < s->limit && s->qhead < s->qlen;
    if (can_start && rate_wait < 0 && !w->stop_start) wait = 0;
    if (s->in_flight == 0 && rate_wait < 0) wait = 0; /* put back after a back-off: start again */
    if (rate_wait >= 0 && rate_wait < wait) wait = rate_wait;
    if (isinf(wait)) {
      /* Nothing of this worker's in flight and nothing it may start (the window is full of the
         other workers' attempts, or the queue is empty): wait for a change. */
      s->idle++;
      pthread_cond_wait(&s->wake, &s->mu);
      s->idle--;
      continue;
    }
    pthread_mutex_unlock(&s->mu);
    int wait_ms = wait <= 0 ? 0 : (int)ceil(wait);
    int nended = 0;
    int drained = drain(w, evs, wait_ms, ended, &nended);
    double turn0 = now_ms();
    /* Deadlines, once every answer that arrived has been read. */
    if (drained >= 0 && w->active > 0)
      for (int k = 0; k < w->nslots; k++) {
        slot_t* sl = &w->slots[k];
        if (sl->fd >= 0 && sl->deadline <= turn0) {
          ended[nended++] = (ended_t){sl->i, sl->n, sl->port_tries, sl->backoffs, sl->lp, sl->t0, -1};
          close_slot(w, k, 0);
        }
      }
    pthread_mutex_lock(&s->mu);
    if (drained < 0) {
      snprintf(s->error, sizeof s->error, "epoll_wait: %s", strerror(errno));
      pthread_cond_broadcast(&s->wake);
      break;
    }
    for (int k = 0; k < nended; k++) finish_attempt(w, &ended[k]);
    if (s->qhead > 4096 && s->qhead * 2 > s->qlen) {
      memmove(s->queue, s->queue + s->qhead, (size_t)(s->qlen - s->qhead) * sizeof(item_t));
      s->qlen -= s->qhead;
      s->qhead = 0;
    }
    double turn = now_ms() - turn0;
    int bin = (int)(turn * 10);
    s->lag_hist[bin < LAG_BINS ? bin : LAG_BINS - 1]++;
    s->lag_count++;
    if (turn > s->lag_max) s->lag_max = turn;
  }
  pthread_mutex_unlock(&s->mu);
  free(ended);
  return NULL;
}

static void run(sweep_t* s) {
  int made = 0, started = 0;
  for (; made < s->nthreads; made++) {
    worker_t* w = &s->workers[made];
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0) {
      snprintf(s->error, sizeof s->error, "epoll_create1: %s", strerror(errno));
      break;
    }
  }
  s->next_start = now_ms();
  if (made == s->nthreads) {
    /* This thread is worker 0; the others get threads of their own. */
    for (started = 1; started < s->nthreads; started++) {
      int e = pthread_create(&s->workers[started].thread, NULL, work_loop, &s->workers[started]);
      if (e != 0) break; /* fewer workers share the same queue: slower, never different */
    }
    work_loop(&s->workers[0]);
    for (int k = 1; k < started; k++) pthread_join(s->workers[k].thread, NULL);
  }
  for (int t = 0; t < made; t++) {
    worker_t* w = &s->workers[t];
    for (int k = 0; k < w->nslots; k++)
      if (w->slots[k].fd >= 0) close_slot(w, k, 0);
    close(w->epfd);
  }
  s->stats[3] = round(rto_timeout(s));
  s->stats[4] = round(s->lag_max);
  s->stats[5] = round(lag_percentile(s, 99));
}

static void execute(napi_env env, void* data) {
  (void)env;
  sweep_t* s = data;
  if (s->njobs > 0)
    run(s);
  else
    s->stats[3] = round(rto_timeout(s));
}

static void free_sweep(sweep_t* s) {
  free(s->hosts);
  free(s->meta);
  free(s->ranges);
  free(s->queue);
  free(s->local);
  if (s->workers)
    for (int t = 0; t < s->nthreads; t++) {
      free(s->workers[t].slots);
      free(s->workers[t].free_slots);
    }
  free(s->workers);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->wake);
  free(s);
}

static napi_value typed(napi_env env, napi_typedarray_type type, const void* src, size_t n, size_t size) {
  void* data;
  napi_value ab, out;
  napi_create_arraybuffer(env, n * size, &data, &ab);
  if (n) memcpy(data, src, n * size);
  napi_create_typedarray(env, type, n, ab, 0, &out);
  return out;
}

static void complete(napi_env env, napi_status status, void* data) {
  sweep_t* s = data;
  if (s->tsfn) napi_release_threadsafe_function(s->tsfn, napi_tsfn_release);
  if (status != napi_ok || s->error[0]) {
    napi_value msg, err;
    napi_create_string_utf8(env, s->error[0] ? s->error : "native sweep cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_reject_deferred(env, s->deferred, err);
  } else {
    napi_resolve_deferred(env, s->deferred, typed(env, napi_float64_array, s->stats, 6, 8));
  }
  napi_delete_async_work(env, s->work);
  napi_delete_reference(env, s->out_ref);
  free_sweep(s);
}

static void call_progress(napi_env env, napi_value fn, void* context, void* data) {
  (void)context;
  if (!env || !fn) return;
  napi_value arg, undef;
  napi_create_int32(env, (int32_t)(intptr_t)data, &arg);
  napi_get_undefined(env, &undef);
  napi_call_function(env, undef, fn, 1, &arg, NULL);
}

static int throw_type(napi_env env, const char* msg) {
  napi_throw_type_error(env, NULL, msg);
  return 0;
}

static int copy_int32(napi_env env, napi_value v, int32_t** out, size_t* n) {
  napi_typedarray_type type;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, n, &data, NULL, NULL) != napi_ok || type != napi_int32_array)
    return throw_type(env, "native sweep: an Int32Array expected");
  *out = malloc(*n ? *n * 4 : 4);
  if (*n) memcpy(*out, data, *n * 4);
  return 1;
}

/* One of `out`'s typed arrays, of its type and at least `n` entries, into *data (NULL when empty). */
static int out_array(napi_env env, napi_value out, uint32_t k, napi_typedarray_type want, size_t n, void* data) {
  napi_value v;
  napi_typedarray_type type;
  size_t len;
  return napi_get_element(env, out, k, &v) == napi_ok &&
         napi_get_typedarray_info(env, v, &type, &len, (void**)data, NULL, NULL) == napi_ok && type == want &&
         len >= n;
}

/* out: [code, attempts, order: Int32Array, rtt: Float64Array, sport: Int32Array], njobs each. */
static int out_arrays(napi_env env, napi_value out, sweep_t* s) {
  size_t n = (size_t)s->njobs;
  if (!out_array(env, out, 0, napi_int32_array, n, &s->code) ||
      !out_array(env, out, 1, napi_int32_array, n, &s->attempts) ||
      !out_array(env, out, 2, napi_int32_array, n, &s->order) ||
      !out_array(env, out, 3, napi_float64_array, n, &s->rtt) ||
      !out_array(env, out, 4, napi_int32_array, n, &s->sport))
    return throw_type(env, "native sweep: out must be [code, attempts, order, rtt, sport] typed arrays of njobs");
  return napi_create_reference(env, out, 1, &s->out_ref) == napi_ok;
}

/*
 * Workers (threads, each with its own epoll set) sharing the one queue, window and RTO: a port's
 * outcome does not depend on which one tried it. `wanted` (opts[5], PORTMATRIX_SWEEP_THREADS) > 0
 * says how many; else one per processor, at most MAX_THREADS, and one for a sweep too small to
 * gain from more.
 */
static int sweep_threads(int njobs, double wanted) {
  if (wanted >= 1) return wanted > MAX_THREADS ? MAX_THREADS : (int)wanted;
  if (njobs < MIN_JOBS_PER_THREAD * 2) return 1;
  cpu_set_t set;
  int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  return cpus < 2 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
}

static napi_value sweep(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    throw_type(env, "native sweep: sweep(hosts, meta, ranges, opts, progress, out)");
    return NULL;
  }
  sweep_t* s = calloc(1, sizeof *s);
  uint32_t nhosts;
  if (napi_get_array_length(env, argv[0], &nhosts) != napi_ok) {
    free(s);
    throw_type(env, "native sweep: hosts must be an array of strings");
    return NULL;
  }
  s->nhosts = (int)nhosts;
  s->hosts = calloc(nhosts ? nhosts : 1, sizeof(addr_t));
  for (uint32_t h = 0; h < nhosts; h++) {
    napi_value v;
    char text[INET6_ADDRSTRLEN + 1];
    size_t len;
    napi_get_element(env, argv[0], h, &v);
    if (napi_get_value_string_utf8(env, v, text, sizeof text, &len) != napi_ok) {
      free_sweep(s);
      throw_type(env, "native sweep: hosts must be an array of strings");
      return NULL;
    }
    addr_t* a = &s->hosts[h];
    struct sockaddr_in* v4 = (struct sockaddr_in*)&a->sa;
    struct sockaddr_in6* v6 = (struct sockaddr_in6*)&a->sa;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
      a->family = v4->sin_family = AF_INET;
      a->len = sizeof *v4;
    } else if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
      a->family = v6->sin6_family = AF_INET6;
      a->len = sizeof *v6;
    } else {
      free_sweep(s);
      napi_throw_error(env, NULL, "native sweep: a host is not an IP address");
      return NULL;
    }
  }
  size_t nmeta, nranges, nopts;
  if (!copy_int32(env, argv[1], &s->meta, &nmeta) || !copy_int32(env, argv[2], &s->ranges, &nranges)) {
    free_sweep(s);
    return NULL;
  }
  napi_typedarray_type type;
  double* opts;
  if (napi_get_typedarray_info(env, argv[3], &type, &nopts, (void**)&opts, NULL, NULL) != napi_ok ||
      type != napi_float64_array || nopts < 5) {
    free_sweep(s);
    throw_type(env, "native sweep: opts must be a Float64Array of 5");
    return NULL;
  }
  s->njobs = (int)(nmeta / 6);
  s->nranges = (int)(nranges / 2);
  s->max_in_flight = opts[0];
  s->rate = opts[1];
  s->initial = opts[2];
  s->min_timeout = opts[3];
  s->retries = (int)opts[4];
  for (int i = 0; i < s->njobs; i++) {
    const int32_t* m = s->meta + 6 * i;
    if (m[0] < 0 || m[0] >= s->nhosts || m[2] >= s->nhosts || m[3] < 0 || m[3] + m[4] > s->nranges ||
        m[5] < 0 || m[5] >= s->njobs) {
      free_sweep(s);
      throw_type(env, "native sweep: meta out of range");
      return NULL;
    }
    if (m[2] >= 0 && s->hosts[m[2]].family != s->hosts[m[0]].family) {
      free_sweep(s);
      napi_throw_error(env, NULL, "native sweep: local address of another family than the host");
      return NULL;
    }
  }
  size_t n = (size_t)(s->njobs ? s->njobs : 1);
  if (!out_arrays(env, argv[5], s)) {
    free_sweep(s);
    return NULL;
  }
  s->local = calloc(n, sizeof(local_state_t));
  double lim = s->max_in_flight < 1 ? 1 : s->max_in_flight;
  s->limit = lim > 1e9 ? 1000000000 : (int)lim;
  s->nthreads = sweep_threads(s->njobs, nopts >= 6 ? opts[5] : 0);
  s->workers = calloc((size_t)s->nthreads, sizeof(worker_t));
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->wake, NULL);
  /* Every slot the window can hold, in each worker: the limit only falls, a put-back attempt
     holds none, and one worker may hold the whole window. */
  int nslots = s->limit < s->njobs ? s->limit : s->njobs;
  if (nslots < 1) nslots = 1;
  for (int t = 0; t < s->nthreads; t++) {
    worker_t* w = &s->workers[t];
    w->s = s;
    w->nslots = nslots;
    w->slots = malloc((size_t)nslots * sizeof(slot_t));
    w->free_slots = malloc((size_t)nslots * sizeof(int));
    for (int k = 0; k < nslots; k++) {
      w->slots[k].fd = -1;
      w->free_slots[k] = nslots - 1 - k;
    }
    w->nfree = nslots;
  }
  /* The JS sweep's shuffle, bit for bit (xorshift32 over the same seed). */
  s->qcap = s->njobs + 64;
  s->queue = malloc((size_t)s->qcap * sizeof(item_t));
  for (int i = 0; i < s->njobs; i++) s->queue[i] = (item_t){i, 0, 0};
  s->qlen = s->njobs;
  uint32_t seed = 0x9e3779b9u ^ (uint32_t)s->njobs;
  for (int k = s->njobs - 1; k > 0; k--) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    int j = (int)(seed % (uint32_t)(k + 1));
    item_t t = s->queue[k];
    s->queue[k] = s->queue[j];
    s->queue[j] = t;
  }

  napi_value promise, name;
  napi_create_promise(env, &s->deferred, &promise);
  napi_valuetype cbt = napi_undefined;
  napi_typeof(env, argv[4], &cbt);
  napi_create_string_utf8(env, "portmatrix-sweep", NAPI_AUTO_LENGTH, &name);
  if (cbt == napi_function)
    napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, NULL, NULL, NULL, call_progress, &s->tsfn);
  napi_create_async_work(env, NULL, name, execute, complete, s, &s->work);
  napi_queue_async_work(env, s->work);
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "sweep", NAPI_AUTO_LENGTH, sweep, NULL, &fn);
  napi_set_named_property(env, exports, "sweep", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
