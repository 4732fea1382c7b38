using System.Globalization;

namespace PromLake.LoadGenerator;

/// <summary>
/// The series one node_exporter target exposes (plus the ones Prometheus adds per scrape), with node_exporter's
/// names, label sets and help texts, and values that behave like a real host: counters grow at host-specific
/// rates from what the uptime implies, gauges wander around plausible levels, and flags stay constant.
/// An 8-CPU host yields about 330 series (the fleet averages about 360), most of them from per-CPU, per-device and per-collector families.
/// </summary>
internal static class NodeExporterSeries
{
    private static readonly (string Mode, double Share)[] CpuModes =
    [
        ("idle", 0), ("iowait", 0.01), ("irq", 0.002), ("nice", 0.001),
        ("softirq", 0.006), ("steal", 0.001), ("system", 0.05), ("user", 0.18),
    ];

    private static readonly string[] Collectors =
    [
        "arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi", "edac", "entropy",
        "fibrechannel", "filefd", "filesystem", "hwmon", "infiniband", "ipvs", "loadavg", "mdadm", "meminfo",
        "netclass", "netdev", "netstat", "nfs", "nfsd", "nvme", "os", "powersupplyclass", "pressure", "rapl",
        "schedstat", "selinux", "sockstat", "softnet", "stat", "tapestats", "textfile", "thermal_zone", "time",
        "timex", "udp_queues", "uname", "vmstat", "xfs", "zfs",
    ];

    // (field, share of MemTotal, relative wander); a share of 0 marks fields that sit at 0 on ordinary hosts.
    private static readonly (string Field, double Share, double Wander)[] MemInfo =
    [
        ("Active", 0.35, 0.02), ("Active_anon", 0.22, 0.03), ("Active_file", 0.13, 0.02), ("AnonHugePages", 0.01, 0.05),
        ("AnonPages", 0.24, 0.03), ("Buffers", 0.02, 0.01), ("Cached", 0.30, 0.02), ("CommitLimit", 0.5, 0),
        ("Committed_AS", 0.45, 0.02), ("Dirty", 0.0002, 0.8), ("HugePages_Free", 0, 0), ("HugePages_Total", 0, 0),
        ("Hugepagesize", -1, 0), ("Inactive", 0.30, 0.02), ("Inactive_anon", 0.04, 0.02), ("Inactive_file", 0.26, 0.02),
        ("KernelStack", 0.001, 0.02), ("Mapped", 0.04, 0.02), ("MemAvailable", 0.55, 0.03), ("MemFree", 0.25, 0.04),
        ("MemTotal", 1, 0), ("Mlocked", 0.00001, 0), ("PageTables", 0.004, 0.02), ("SReclaimable", 0.03, 0.01),
        ("SUnreclaim", 0.01, 0.01), ("Shmem", 0.01, 0.01), ("Slab", 0.04, 0.01), ("SwapCached", 0, 0),
        ("SwapFree", 0, 0), ("SwapTotal", 0, 0), ("Unevictable", 0.00001, 0), ("VmallocChunk", 0, 0),
        ("VmallocTotal", -2, 0), ("VmallocUsed", 0.0005, 0.01), ("Writeback", 0, 0),
    ];

    public static List<SeriesDefinition> For(SimulatedTarget target, double scrapeIntervalSeconds)
    {
        var series = new Builder(target, scrapeIntervalSeconds);
        var random = new Random(unchecked((int)target.Seed));
        var busy = target.Busyness;

        for (var cpu = 0; cpu < target.CpuCount; cpu++)
        {
            var cpuLabel = new SeriesLabel("cpu", cpu.ToString(CultureInfo.InvariantCulture));
            var cpuBusy = busy * (0.5 + random.NextDouble());
            var busyShare = 0.0;
            foreach (var (_, share) in CpuModes)
            {
                busyShare += share * cpuBusy;
            }

            foreach (var (mode, share) in CpuModes)
            {
                var perSecond = mode == "idle" ? Math.Max(0.05, 1 - busyShare) : share * cpuBusy;
                series.Counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", perSecond, 0, cpuLabel, new("mode", mode));
            }

            series.Constant("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.", MetricKind.Counter, 0, cpuLabel, new("mode", "nice"));
            series.Constant("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.", MetricKind.Counter, 0, cpuLabel, new("mode", "user"));
        }

        var load = target.CpuCount * busy * 0.4;
        series.Gauge("node_load1", "1m load average.", load, 0.4, 0);
        series.Gauge("node_load5", "5m load average.", load, 0.15, 0);
        series.Gauge("node_load15", "15m load average.", load, 0.05, 0);

        foreach (var (field, share, wander) in MemInfo)
        {
            var name = field == "Hugepagesize" ? "node_memory_Hugepagesize_bytes" : $"node_memory_{field}_bytes";
            var help = $"Memory information field {field}_bytes.";
            if (share > 0 && wander > 0)
            {
                series.Gauge(name, help, share * target.MemoryBytes, wander, 1024);
            }
            else
            {
                var value = share switch
                {
                    -1 => 2097152,
                    -2 => 35184372087808,
                    _ => Math.Round(share * target.MemoryBytes / 1024) * 1024,
                };
                series.Constant(name, help, MetricKind.Gauge, value);
            }
        }

        foreach (var fs in target.Filesystems)
        {
            SeriesLabel[] fsLabels = [new("device", fs.Device), new("fstype", fs.FsType), new("mountpoint", fs.MountPoint)];
            var used = 0.1 + (0.8 * random.NextDouble());
            var files = Math.Round(fs.SizeBytes / 16384);
            series.Gauge("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", fs.SizeBytes * (1 - used) * 0.95, 0.001, 4096, fsLabels);
            series.Gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", fs.SizeBytes * (1 - used), 0.001, 4096, fsLabels);
            series.Constant("node_filesystem_size_bytes", "Filesystem size in bytes.", MetricKind.Gauge, Math.Round(fs.SizeBytes / 4096) * 4096, fsLabels);
            series.Constant("node_filesystem_files", "Filesystem total file nodes.", MetricKind.Gauge, files, fsLabels);
            series.Gauge("node_filesystem_files_free", "Filesystem total free file nodes.", files * (1 - (used / 4)), 0.0005, 1, fsLabels);
            series.Constant("node_filesystem_readonly", "Filesystem read-only status.", MetricKind.Gauge, 0, fsLabels);
            series.Constant("node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device.", MetricKind.Gauge, 0, fsLabels);
        }

        foreach (var device in target.NetworkDevices)
        {
            var deviceLabel = new SeriesLabel("device", device);
            var bytesPerSecond = busy * (device == "lo" ? 2e5 : 5e6) * (0.2 + random.NextDouble());
            foreach (var direction in new[] { "receive", "transmit" })
            {
                var rate = direction == "receive" ? bytesPerSecond : bytesPerSecond * 0.6;
                series.Counter($"node_network_{direction}_bytes_total", $"Network device statistic {direction}_bytes.", rate, 1, deviceLabel);
                series.Counter($"node_network_{direction}_packets_total", $"Network device statistic {direction}_packets.", rate / 900, 1, deviceLabel);
                series.Constant($"node_network_{direction}_errs_total", $"Network device statistic {direction}_errs.", MetricKind.Counter, 0, deviceLabel);
                series.Constant($"node_network_{direction}_drop_total", $"Network device statistic {direction}_drop.", MetricKind.Counter, 0, deviceLabel);
            }

            series.Constant("node_network_mtu_bytes", "Network device property: mtu_bytes", MetricKind.Gauge, device == "lo" ? 65536 : 1500, deviceLabel);
            series.Constant("node_network_transmit_queue_length", "Network device property: transmit_queue_length", MetricKind.Gauge, device == "lo" ? 1000 : 1000, deviceLabel);
            series.Constant("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", MetricKind.Gauge, 1, deviceLabel);
        }

        foreach (var disk in target.Disks)
        {
            var deviceLabel = new SeriesLabel("device", disk);
            var reads = busy * 50 * (0.1 + random.NextDouble());
            var writes = busy * 80 * (0.1 + random.NextDouble());
            series.Counter("node_disk_reads_completed_total", "The total number of reads completed successfully.", reads, 1, deviceLabel);
            series.Counter("node_disk_writes_completed_total", "The total number of writes completed successfully.", writes, 1, deviceLabel);
            series.Counter("node_disk_read_bytes_total", "The total number of bytes read successfully.", reads * 24576, 1, deviceLabel);
            series.Counter("node_disk_written_bytes_total", "The total number of bytes written successfully.", writes * 16384, 1, deviceLabel);
            series.Counter("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", reads * 0.0004, 0, deviceLabel);
            series.Counter("node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", writes * 0.0009, 0, deviceLabel);
            series.Counter("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", Math.Min(1, (reads + writes) * 0.0005), 0, deviceLabel);
            series.Counter("node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", (reads + writes) * 0.0008, 0, deviceLabel);
            series.Constant("node_disk_io_now", "The number of I/Os currently in progress.", MetricKind.Gauge, 0, deviceLabel);
        }

        var cpus = target.CpuCount;
        series.Constant("node_boot_time_seconds", "Node boot time, in unixtime.", MetricKind.Gauge, target.BootTimeMs / 1000);
        series.ScrapeTime("node_time_seconds", "System time in seconds since epoch (1970).");
        series.Counter("node_context_switches_total", "Total number of context switches.", busy * cpus * 2500, 1);
        series.Counter("node_forks_total", "Total number of forks.", busy * 15, 1);
        series.Counter("node_intr_total", "Total number of interrupts serviced.", busy * cpus * 1200, 1);
        series.Gauge("node_procs_running", "Number of processes in runnable state.", 1 + (busy * cpus * 0.3), 0.8, 1);
        series.Constant("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", MetricKind.Gauge, 0);
        series.Constant("node_entropy_available_bits", "Bits of available entropy.", MetricKind.Gauge, 256);
        series.Gauge("node_filefd_allocated", "File descriptor statistics: allocated.", 1500 + (busy * 8000), 0.02, 1);
        series.Constant("node_filefd_maximum", "File descriptor statistics: maximum.", MetricKind.Gauge, 9223372036854775807);
        series.Gauge("node_sockstat_TCP_inuse", "Number of TCP sockets in state inuse.", 10 + (busy * 200), 0.1, 1);
        series.Gauge("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", 150 + (busy * 600), 0.05, 1);
        series.Counter("node_netstat_Tcp_ActiveOpens", "Statistic TcpActiveOpens.", busy * 4, 1);
        series.Counter("node_netstat_Tcp_PassiveOpens", "Statistic TcpPassiveOpens.", busy * 6, 1);
        series.Gauge("node_netstat_Tcp_CurrEstab", "Statistic TcpCurrEstab.", 5 + (busy * 150), 0.1, 1);
        series.Counter("node_netstat_Tcp_InSegs", "Statistic TcpInSegs.", busy * 900, 1);
        series.Counter("node_netstat_Tcp_OutSegs", "Statistic TcpOutSegs.", busy * 850, 1);
        series.Counter("node_netstat_Tcp_RetransSegs", "Statistic TcpRetransSegs.", busy * 0.8, 1);
        series.Counter("node_netstat_Udp_InDatagrams", "Statistic UdpInDatagrams.", busy * 40, 1);
        series.Counter("node_netstat_Udp_OutDatagrams", "Statistic UdpOutDatagrams.", busy * 40, 1);
        series.Counter("node_vmstat_pgfault", "/proc/vmstat information field pgfault.", busy * cpus * 3000, 1);
        series.Counter("node_vmstat_pgmajfault", "/proc/vmstat information field pgmajfault.", busy * 0.3, 1);
        series.Counter("node_vmstat_pgpgin", "/proc/vmstat information field pgpgin.", busy * 400, 1);
        series.Counter("node_vmstat_pgpgout", "/proc/vmstat information field pgpgout.", busy * 900, 1);
        series.Constant("node_vmstat_pswpin", "/proc/vmstat information field pswpin.", MetricKind.Counter, 0);
        series.Constant("node_vmstat_pswpout", "/proc/vmstat information field pswpout.", MetricKind.Counter, 0);

        series.Constant(
            "node_uname_info",
            "Labeled system information as provided by the uname system call.",
            MetricKind.Gauge,
            1,
            new("domainname", "(none)"),
            new("machine", "x86_64"),
            new("nodename", target.NodeName),
            new("release", target.KernelRelease),
            new("sysname", "Linux"),
            new("version", "#1 SMP PREEMPT_DYNAMIC"));
        series.Constant(
            "node_exporter_build_info",
            "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.",
            MetricKind.Gauge,
            1,
            new("branch", "HEAD"),
            new("goarch", "amd64"),
            new("goos", "linux"),
            new("goversion", "go1.22.5"),
            new("revision", "bf9bd9ba7ca8a4a2ad5a4cb0b9f0ee5c1d3da5a6"),
            new("tags", "unknown"),
            new("version", "1.8.2"));

        foreach (var collector in Collectors)
        {
            var collectorLabel = new SeriesLabel("collector", collector);
            series.Gauge("node_scrape_collector_duration_seconds", "node_exporter: Duration of a collector scrape.", 0.0002 + (0.02 * random.NextDouble()), 0.5, 0, collectorLabel);
            series.Constant("node_scrape_collector_success", "node_exporter: Whether a collector succeeded.", MetricKind.Gauge, 1, collectorLabel);
        }

        series.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", 0.004 + (0.01 * busy), 0);
        series.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", 2.2e7, 0.05, 4096);
        series.Gauge("process_open_fds", "Number of open file descriptors.", 9, 0.2, 1);
        series.Constant("process_max_fds", "Maximum number of open file descriptors.", MetricKind.Gauge, 1048576);
        series.Constant("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", MetricKind.Gauge, target.ExporterStartMs / 1000.0);
        series.Gauge("go_goroutines", "Number of goroutines that currently exist.", 8, 0.25, 1);
        series.Gauge("go_memstats_alloc_bytes", "Number of bytes allocated and still in use.", 3.5e6, 0.3, 8);
        series.Counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated, even if freed.", 2.0e5, 8);

        // Prometheus adds these to every scrape, and remote-writes them with the target's samples.
        var scraped = series.Count + 5;
        series.Constant("up", "Health of the scrape target.", MetricKind.Gauge, 1);
        series.Gauge("scrape_duration_seconds", "Duration of the scrape.", 0.015 + (0.03 * busy), 0.3, 0);
        series.Constant("scrape_samples_scraped", "The number of samples the target exposed.", MetricKind.Gauge, scraped);
        series.Constant("scrape_samples_post_metric_relabeling", "The number of samples remaining after metric relabeling was applied.", MetricKind.Gauge, scraped);
        series.Constant("scrape_series_added", "The approximate number of new series in this scrape.", MetricKind.Gauge, 0);

        return series.Series;
    }

    private sealed class Builder(SimulatedTarget target, double scrapeIntervalSeconds)
    {
        public List<SeriesDefinition> Series { get; } = [];
        public int Count => Series.Count;

        public void Counter(string name, string help, double perSecond, double quantum, params SeriesLabel[] labels) =>
            Add(name, MetricKind.Counter, help, labels, seed => ValueModel.Counter(
                initial: perSecond * target.UptimeSeconds,
                perScrape: perSecond * scrapeIntervalSeconds,
                quantum,
                seed));

        public void Gauge(string name, string help, double mean, double wander, double quantum, params SeriesLabel[] labels) =>
            Add(name, MetricKind.Gauge, help, labels, seed => ValueModel.Gauge(mean, wander, quantum, seed));

        public void Constant(string name, string help, MetricKind kind, double value, params SeriesLabel[] labels) =>
            Add(name, kind, help, labels, _ => ValueModel.Constant(value));

        public void ScrapeTime(string name, string help) =>
            Add(name, MetricKind.Gauge, help, [], _ => ValueModel.ScrapeTime);

        private void Add(string name, MetricKind kind, string help, SeriesLabel[] extra, Func<ulong, ValueModel> valueModel)
        {
            var labels = new SeriesLabel[extra.Length + 3];
            labels[0] = new("__name__", name);
            labels[1] = new("instance", target.Instance);
            labels[2] = new("job", target.Job);
            extra.CopyTo(labels, 3);
            Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Name, b.Name));

            var identity = string.Join('\xff', labels.Select(static l => l.Name + "\xfe" + l.Value));
            var fingerprint = StableHash.Of(identity);
            Series.Add(new SeriesDefinition(target, name, kind, help, valueModel(StableHash.Mix(fingerprint ^ target.Seed)), labels)
            {
                OrdinalInTarget = Series.Count,
                Fingerprint = fingerprint,
            });
        }
    }
}
