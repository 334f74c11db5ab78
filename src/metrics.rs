//! Operational metrics in the Prometheus/OpenMetrics text format: requests by route template and status, their
//! latency, the tile cache, reloads and the import report. One registry per [`crate::state::AppState`], so tests
//! that build their own state count only their own requests.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Duration;

/// One HTTP request: its method, the route template it matched (never the raw path), and its status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    /// `/collections/{id}/items`, or `unmatched` when no route matched.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_buckets() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The counters and gauges of one server.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    /// `tile_cache_lookups{result="hit"}` and `{result="miss"}`, resolved once: a hot tile takes no lock here.
    tile_hits: Counter,
    tile_misses: Counter,
    tile_bytes: Counter,
    tile_cache_bytes: Gauge,
    reloads: Family<OutcomeLabels, Counter>,
    import_errors: Gauge,
    import_warnings: Gauge,
    data_version: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ssepot");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_buckets);
        let tile_lookups = Family::<ResultLabels, Counter>::default();
        let tile_bytes = Counter::default();
        let tile_cache_bytes = Gauge::default();
        let reloads = Family::<OutcomeLabels, Counter>::default();
        let (import_errors, import_warnings, data_version) =
            (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register(
            "http_requests",
            "HTTP requests by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to the response head, by method and route template",
            latency.clone(),
        );
        registry.register(
            "tile_cache_lookups",
            "Tile requests answered from the cache (hit) or rendered (miss)",
            tile_lookups.clone(),
        );
        registry.register(
            "tile_bytes_served",
            "Bytes of vector tiles served (before compression)",
            tile_bytes.clone(),
        );
        registry.register(
            "tile_cache_size_bytes",
            "Bytes held by the tile cache of the data being served",
            tile_cache_bytes.clone(),
        );
        registry.register(
            "reloads",
            "Reloads by outcome (ok: swapped in, possibly with import errors; failed: nothing changed)",
            reloads.clone(),
        );
        registry.register(
            "import_errors",
            "Errors in the import report of the data being served",
            import_errors.clone(),
        );
        registry.register(
            "import_warnings",
            "Warnings in the import report of the data being served",
            import_warnings.clone(),
        );
        registry.register(
            "data_version",
            "Version of the data being served (1 at start, +1 per reload)",
            data_version.clone(),
        );
        let tile_hits = tile_lookups
            .get_or_create(&ResultLabels { result: "hit" })
            .clone();
        let tile_misses = tile_lookups
            .get_or_create(&ResultLabels { result: "miss" })
            .clone();
        Self {
            registry,
            requests,
            latency,
            tile_hits,
            tile_misses,
            tile_bytes,
            tile_cache_bytes,
            reloads,
            import_errors,
            import_warnings,
            data_version,
        }
    }
}

impl Metrics {
    /// Counts a request and observes its latency.
    pub fn request(&self, labels: RequestLabels, elapsed: Duration) {
        self.latency
            .get_or_create(&RouteLabels {
                method: labels.method,
                route: labels.route.clone(),
            })
            .observe(elapsed.as_secs_f64());
        self.requests.get_or_create(&labels).inc();
    }

    /// Counts a tile served: from the cache, or rendered now.
    pub fn tile(&self, rendered: bool, bytes: usize) {
        if rendered {
            self.tile_misses.inc();
        } else {
            self.tile_hits.inc();
        }
        self.tile_bytes.inc_by(bytes as u64);
    }

    /// Counts a reload.
    pub fn reload(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.reloads.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// The text exposition, with the gauges set from what is served now.
    pub fn render(&self, now: &Current) -> String {
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.import_errors.set(gauge(now.import_errors));
        self.import_warnings.set(gauge(now.import_warnings));
        self.data_version.set(gauge(now.data_version));
        self.tile_cache_bytes.set(gauge(now.tile_cache_bytes));
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Values read from the data being served at scrape time.
pub struct Current {
    pub import_errors: u64,
    pub import_warnings: u64,
    pub data_version: u64,
    pub tile_cache_bytes: u64,
}
