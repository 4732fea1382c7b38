using System.Globalization;
using PromLake.Storage.Series;

namespace PromLake.Benchmarks.Storage;

/// <summary>
/// A deterministic fleet of node_exporter hosts scraped by Prometheus, for measuring storage
/// size. Both Prometheus's TSDB and Parquet compress regular data to almost nothing, so the
/// data copies what real hosts do rather than what is easy to compress:
/// <list type="bullet">
/// <item>timestamps on each host's own 15 s grid (Prometheus spreads targets over the interval),
/// exact most of the time as Prometheus aligns them within 2 ms, a few ms to tens of ms late
/// now and then;</item>
/// <item>counters that grow with a host's load, which follows a daily curve plus noise: CPU
/// seconds in USER_HZ ticks (0.01 s), bytes and packets as integers, bytes in sectors,
/// seconds in milliseconds, error counters that move rarely;</item>
/// <item>gauges that wander and revert (memory in pages, sockets, file descriptors), load
/// averages with two decimals computed as the kernel does, temperatures in whole degrees;</item>
/// <item>durations measured in nanoseconds (collector and scrape durations, GC pauses): full
/// 53-bit mantissas that no format compresses much;</item>
/// <item>and the many series that never change: sizes, limits, info metrics, zeros.</item>
/// </list>
/// Series carry the target labels instance, job, environment and region, as relabelled
/// service discovery leaves them.
/// </summary>
internal static class NodeFleet
{
    public const long ScrapeIntervalMs = 15_000;

    private static readonly string[] CpuModes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
    private static readonly string[] Collectors =
    [
        "arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi", "edac", "entropy",
        "fibrechannel", "filefd", "filesystem", "hwmon", "infiniband", "ipvs", "loadavg", "mdadm", "meminfo",
        "netclass", "netdev", "netstat", "nfs", "nfsd", "nvme", "os", "powersupplyclass", "pressure", "rapl",
        "schedstat", "selinux", "sockstat", "softnet", "stat", "tapestats", "textfile", "thermal_zone", "time",
        "timex", "udp_queues", "uname", "vmstat", "xfs", "zfs",
    ];

    private static readonly string[] Regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"];

    /// <summary>Generates whole hosts until at least <paramref name="targetSeries"/> series exist.</summary>
    /// <param name="targetSeries">How many series to generate at least.</param>
    /// <param name="startMs">The first scrape round's time, in milliseconds since the epoch.</param>
    /// <param name="duration">How long the fleet is scraped.</param>
    /// <param name="seed">Everything follows from the seed: the same arguments give the same data.</param>
    public static List<StoredSeries> Generate(int targetSeries, long startMs, TimeSpan duration, ulong seed = 42)
    {
        var rounds = (int)(duration.Ticks / TimeSpan.TicksPerMillisecond / ScrapeIntervalMs);
        var series = new List<StoredSeries>(targetSeries + 1000);
        for (var host = 0; series.Count < targetSeries; host++)
        {
            new Host(host, seed, startMs, rounds).AddSeries(series);
        }

        return series;
    }

    /// <summary>SplitMix64: small, fast and the same on every runtime, unlike <see cref="Random"/>'s seeded sequence.</summary>
    private sealed class Rng(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double Uniform() => (Next() >> 11) * (1.0 / (1UL << 53));

        public double Uniform(double min, double max) => min + ((max - min) * Uniform());

        public int Int(int maxExclusive) => (int)(Next() % (ulong)maxExclusive);

        public bool Chance(double probability) => Uniform() < probability;

        public double Normal()
        {
            // Box–Muller; one of the pair is enough here.
            var u = 1.0 - Uniform();
            return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * Uniform());
        }

        /// <summary>A Poisson count by inversion for small means and a rounded normal for large ones.</summary>
        public long Poisson(double mean)
        {
            if (mean <= 0)
            {
                return 0;
            }

            if (mean > 30)
            {
                return Math.Max(0, (long)Math.Round(mean + (Math.Sqrt(mean) * Normal())));
            }

            var limit = Math.Exp(-mean);
            long k = 0;
            var p = Uniform();
            while (p > limit)
            {
                k++;
                p *= Uniform();
            }

            return k;
        }
    }

    private sealed class Host
    {
        private readonly int _index;
        private readonly Rng _rng;
        private readonly long[] _timestamps;
        private readonly double[] _load;
        private readonly Label[] _target;
        private readonly int _cpus;
        private readonly double _memoryBytes;
        private readonly double _uptimeSeconds;
        private readonly double _busy;

        public Host(int index, ulong seed, long startMs, int rounds)
        {
            _index = index;
            _rng = new Rng(seed ^ ((ulong)(index + 1) * 0xD6E8FEB86659FD93UL));
            _cpus = new[] { 2, 4, 4, 8, 8, 8, 16, 32 }[_rng.Int(8)];
            _memoryBytes = _cpus * new[] { 2.0, 4.0, 4.0, 8.0 }[_rng.Int(4)] * (1L << 30);
            _uptimeSeconds = _rng.Uniform(3600, 90 * 86400);
            _busy = _rng.Uniform(0.03, 0.7);
            var region = Regions[_rng.Int(Regions.Length)];
            var octets = $"10.{(index / 250) % 250}.{index % 250}.{10 + _rng.Int(200)}";
            _target =
            [
                new Label("environment", index % 5 == 0 ? "staging" : "production"),
                new Label("instance", octets + ":9100"),
                new Label("job", "node"),
                new Label("region", region),
            ];

            // Prometheus offsets each target within the interval by a hash of the target, and
            // aligns a scrape's timestamp to the grid when it is within 2 ms of it.
            var offset = (long)(_rng.Uniform() * ScrapeIntervalMs);
            _timestamps = new long[rounds];
            for (var i = 0; i < rounds; i++)
            {
                var late = _rng.Chance(0.02) ? 3 + _rng.Int(40) : 0;
                _timestamps[i] = startMs + offset + (i * ScrapeIntervalMs) + late;
            }

            // Load: a daily curve peaking at a host-specific hour, with autocorrelated noise.
            _load = new double[rounds];
            var phase = _rng.Uniform();
            var noise = 0.0;
            for (var i = 0; i < rounds; i++)
            {
                var day = (double)(_timestamps[i] % 86_400_000) / 86_400_000;
                noise = (0.97 * noise) + (0.05 * _rng.Normal());
                _load[i] = Math.Max(0.01, _busy * (1 + (0.5 * Math.Sin(2 * Math.PI * (day + phase)))) * Math.Exp(noise));
            }
        }

        private int Rounds => _timestamps.Length;

        public void AddSeries(List<StoredSeries> output)
        {
            var builder = new SeriesList(this, output);
            Cpu(builder);
            Memory(builder);
            Network(builder);
            Disks(builder);
            Filesystems(builder);
            Kernel(builder);
            Exporter(builder);
            Scrape(builder);
        }

        private void Cpu(SeriesList s)
        {
            for (var cpu = 0; cpu < _cpus; cpu++)
            {
                var cpuLabel = new Label("cpu", cpu.ToString(CultureInfo.InvariantCulture));
                var share = _rng.Uniform(0.6, 1.4);
                foreach (var mode in CpuModes)
                {
                    // Fractions of a CPU each mode takes at load 1; idle takes what is left.
                    var fraction = mode switch
                    {
                        "user" => 0.6, "system" => 0.18, "iowait" => 0.04, "softirq" => 0.02,
                        "irq" => _index % 3 == 0 ? 0.004 : 0, "steal" => _index % 4 == 0 ? 0.01 : 0, "nice" => _index % 7 == 0 ? 0.003 : 0,
                        _ => -1,
                    };
                    s.Add("node_cpu_seconds_total", MetricType.Counter, "Seconds the CPUs spent in each mode.",
                        fraction == 0 ? Constant(0) : Ticks(i => fraction < 0 ? Math.Max(0.02, 1 - (0.84 * Math.Min(1, _load[i] * share))) : fraction * Math.Min(1, _load[i] * share)),
                        cpuLabel, new Label("mode", mode));
                }

                s.Add("node_cpu_guest_seconds_total", MetricType.Counter, "Seconds the CPUs spent in guests (VMs) for each mode.", Constant(0), cpuLabel, new Label("mode", "nice"));
                s.Add("node_cpu_guest_seconds_total", MetricType.Counter, "Seconds the CPUs spent in guests (VMs) for each mode.", Constant(0), cpuLabel, new Label("mode", "user"));
                var frequencies = new[] { 1.2e9, 1.8e9, 2.4e9, 2.9e9, 3.4e9 };
                s.Add("node_cpu_scaling_frequency_hertz", MetricType.Gauge, "Current scaled CPU thread frequency in hertz.",
                    Sticky(0.5, () => frequencies[_rng.Int(frequencies.Length)] + (_rng.Int(10) * 1e6)), cpuLabel);
                s.Add("node_cpu_scaling_frequency_max_hertz", MetricType.Gauge, "Maximum scaled CPU thread frequency in hertz.", Constant(3.4e9), cpuLabel);
                s.Add("node_cpu_scaling_frequency_min_hertz", MetricType.Gauge, "Minimum scaled CPU thread frequency in hertz.", Constant(1.2e9), cpuLabel);
            }

            s.Add("node_load1", MetricType.Gauge, "1m load average.", LoadAverage(60), []);
            s.Add("node_load5", MetricType.Gauge, "5m load average.", LoadAverage(300), []);
            s.Add("node_load15", MetricType.Gauge, "15m load average.", LoadAverage(900), []);
            s.Add("node_procs_running", MetricType.Gauge, "Number of processes in runnable state.", Values(i => 1 + _rng.Poisson(_load[i] * _cpus * 0.3)), []);
            s.Add("node_procs_blocked", MetricType.Gauge, "Number of processes blocked waiting for I/O to complete.", Values(_ => _rng.Chance(0.05) ? 1 : 0), []);
            s.Add("node_context_switches_total", MetricType.Counter, "Total number of context switches.", Count(i => _load[i] * _cpus * 3000), []);
            s.Add("node_intr_total", MetricType.Counter, "Total number of interrupts serviced.", Count(i => _load[i] * _cpus * 1500), []);
            s.Add("node_forks_total", MetricType.Counter, "Total number of forks.", Count(i => 2 + (_load[i] * 20)), []);
            foreach (var resource in new[] { "cpu", "io", "memory" })
            {
                s.Add($"node_pressure_{resource}_waiting_seconds_total", MetricType.Counter, $"Total time in seconds that processes have waited for {resource}.",
                    Micros(i => _load[i] * (resource == "cpu" ? 0.05 : 0.01)), []);
            }
        }

        private void Memory(SeriesList s)
        {
            var mem = _memoryBytes;
            (string Field, double Share, double Step)[] fields =
            [
                ("Active", 0.35, 2e-4), ("Active_anon", 0.22, 2e-4), ("Active_file", 0.13, 1e-4), ("AnonHugePages", 0.01, 0),
                ("AnonPages", 0.24, 2e-4), ("Bounce", 0, 0), ("Buffers", 0.02, 2e-5), ("Cached", 0.30, 1e-4),
                ("CommitLimit", -0.5, 0), ("Committed_AS", 0.45, 3e-4), ("DirectMap1G", -0.75, 0), ("DirectMap2M", -0.23, 0),
                ("DirectMap4k", -0.02, 0), ("Dirty", 0.0002, 0.05), ("HardwareCorrupted", 0, 0), ("HugePages_Free", 0, 0),
                ("HugePages_Rsvd", 0, 0), ("HugePages_Surp", 0, 0), ("HugePages_Total", 0, 0), ("Hugepagesize", -2, 0),
                ("Inactive", 0.30, 1e-4), ("Inactive_anon", 0.04, 5e-5), ("Inactive_file", 0.26, 1e-4), ("KernelStack", 0.001, 1e-3),
                ("Mapped", 0.04, 1e-4), ("MemAvailable", 0.55, 2e-4), ("MemFree", 0.25, 3e-4), ("MemTotal", -1, 0),
                ("Mlocked", -0.00001, 0), ("NFS_Unstable", 0, 0), ("PageTables", 0.004, 1e-3), ("Percpu", -0.0005, 0),
                ("SReclaimable", 0.03, 1e-4), ("SUnreclaim", 0.01, 1e-4), ("Shmem", 0.01, 2e-5), ("ShmemHugePages", 0, 0),
                ("ShmemPmdMapped", 0, 0), ("Slab", 0.04, 1e-4), ("SwapCached", 0, 0), ("SwapFree", 0, 0), ("SwapTotal", 0, 0),
                ("Unevictable", -0.00001, 0), ("VmallocChunk", 0, 0), ("VmallocTotal", -3, 0), ("VmallocUsed", 0.0005, 1e-3),
                ("Writeback", 0, 0), ("WritebackTmp", 0, 0),
            ];
            foreach (var (field, share, step) in fields)
            {
                var value = share switch
                {
                    -1 => Math.Floor(mem / 1024) * 1024,
                    -2 => 2097152,
                    -3 => 35184372087808,
                    < 0 => Math.Round(-share * mem / 1024) * 1024,
                    _ => Math.Round(share * mem / 1024) * 1024,
                };
                s.Add($"node_memory_{field}_bytes", MetricType.Gauge, $"Memory information field {field}_bytes.",
                    step > 0 ? Walk(value, step * value, 0.01, 4096, 4096) : Constant(value), []);
            }

            (string Field, double PerSecond)[] vmstat =
            [
                ("oom_kill", 0), ("pgfault", 4000), ("pgmajfault", 0.3), ("pgpgin", 300), ("pgpgout", 900), ("pswpin", 0), ("pswpout", 0),
            ];
            foreach (var (field, perSecond) in vmstat)
            {
                s.Add($"node_vmstat_{field}", MetricType.Unspecified, $"/proc/vmstat information field {field}.",
                    perSecond == 0 ? Constant(0) : Count(i => perSecond * _load[i] * _cpus / 4), []);
            }
        }

        private void Network(SeriesList s)
        {
            string[] devices = _index % 2 == 0 ? ["eth0", "lo"] : ["eth0", "eth1", "lo", "docker0"];
            foreach (var device in devices)
            {
                var d = new Label("device", device);
                var bytesPerSecond = _rng.Uniform(2e4, 2e7) * (device == "docker0" ? 0.01 : 1);
                foreach (var direction in new[] { "receive", "transmit" })
                {
                    var rate = bytesPerSecond * (direction == "receive" ? 1 : _rng.Uniform(0.2, 1.5));
                    var packetSize = _rng.Uniform(200, 1400);
                    s.Add($"node_network_{direction}_bytes_total", MetricType.Counter, $"Network device statistic {direction}_bytes.", Count(i => rate * _load[i] / _busy), d);
                    s.Add($"node_network_{direction}_packets_total", MetricType.Counter, $"Network device statistic {direction}_packets.", Count(i => rate * _load[i] / _busy / packetSize), d);
                    foreach (var stat in new[] { "compressed", "errs", "fifo", "frame", "multicast" })
                    {
                        s.Add($"node_network_{direction}_{stat}_total", MetricType.Counter, $"Network device statistic {direction}_{stat}.",
                            stat == "multicast" && direction == "receive" && device != "lo" ? Count(_ => 0.05) : Constant(0), d);
                    }

                    s.Add($"node_network_{direction}_drop_total", MetricType.Counter, $"Network device statistic {direction}_drop.",
                        device == "lo" ? Constant(0) : Count(_ => 0.002), d);
                }

                s.Add("node_network_mtu_bytes", MetricType.Gauge, "Network device property: mtu_bytes", Constant(device == "lo" ? 65536 : 1500), d);
                s.Add("node_network_up", MetricType.Gauge, "Value is 1 if operstate is 'up', 0 otherwise.", Constant(device == "docker0" ? 0 : 1), d);
                s.Add("node_network_carrier", MetricType.Gauge, "Network device property: carrier", Constant(1), d);
                s.Add("node_network_speed_bytes", MetricType.Gauge, "Network device property: speed_bytes", Constant(device == "lo" ? 0 : 1.25e9), d);
                s.Add("node_network_transmit_queue_length", MetricType.Gauge, "Network device property: transmit_queue_length", Constant(1000), d);
            }
        }

        private void Disks(SeriesList s)
        {
            string[] disks = _index % 3 == 0 ? ["nvme0n1", "nvme1n1", "dm-0"] : ["sda", "sdb"];
            foreach (var disk in disks)
            {
                var d = new Label("device", disk);
                var reads = _rng.Uniform(0.5, 80);
                var writes = _rng.Uniform(2, 150);
                s.Add("node_disk_reads_completed_total", MetricType.Counter, "The total number of reads completed successfully.", Count(i => reads * _load[i]), d);
                s.Add("node_disk_writes_completed_total", MetricType.Counter, "The total number of writes completed successfully.", Count(i => writes * _load[i]), d);
                s.Add("node_disk_reads_merged_total", MetricType.Counter, "The total number of reads merged.", Count(i => reads * _load[i] * 0.1), d);
                s.Add("node_disk_writes_merged_total", MetricType.Counter, "The number of writes merged.", Count(i => writes * _load[i] * 0.4), d);
                s.Add("node_disk_read_bytes_total", MetricType.Counter, "The total number of bytes read successfully.", Count(i => reads * _load[i] * 48, quantum: 512), d);
                s.Add("node_disk_written_bytes_total", MetricType.Counter, "The total number of bytes written successfully.", Count(i => writes * _load[i] * 32, quantum: 512), d);
                s.Add("node_disk_read_time_seconds_total", MetricType.Counter, "The total number of seconds spent by all reads.", Millis(i => reads * _load[i] * 0.0004), d);
                s.Add("node_disk_write_time_seconds_total", MetricType.Counter, "This is the total number of seconds spent by all writes.", Millis(i => writes * _load[i] * 0.0009), d);
                s.Add("node_disk_io_time_seconds_total", MetricType.Counter, "Total seconds spent doing I/Os.", Millis(i => Math.Min(1, (reads + writes) * _load[i] * 0.0005)), d);
                s.Add("node_disk_io_time_weighted_seconds_total", MetricType.Counter, "The weighted # of seconds spent doing I/Os.", Millis(i => (reads + writes) * _load[i] * 0.0008), d);
                s.Add("node_disk_discards_completed_total", MetricType.Counter, "The total number of discards completed successfully.", Constant(0), d);
                s.Add("node_disk_discarded_sectors_total", MetricType.Counter, "The total number of sectors discarded successfully.", Constant(0), d);
                s.Add("node_disk_flush_requests_total", MetricType.Counter, "The total number of flush requests completed successfully", Count(_ => 0.2), d);
                s.Add("node_disk_io_now", MetricType.Gauge, "The number of I/Os currently in progress.", Values(i => _rng.Poisson(_load[i] * 0.2)), d);
                s.Add("node_disk_info", MetricType.Gauge, "Info of /sys/block/<block_device>.", Constant(1), d, new Label("major", "8"), new Label("minor", "0"));
            }

            for (var sensor = 0; sensor < 4; sensor++)
            {
                var baseline = _rng.Uniform(35, 55);
                s.Add("node_hwmon_temp_celsius", MetricType.Gauge, "Hardware monitor for temperature (input)",
                    Walk(baseline, 0.6, 0.1, 1, 1), new Label("chip", "platform_coretemp_0"), new Label("sensor", $"temp{sensor + 1}"));
                s.Add("node_hwmon_temp_crit_celsius", MetricType.Gauge, "Hardware monitor for temperature (crit)",
                    Constant(100), new Label("chip", "platform_coretemp_0"), new Label("sensor", $"temp{sensor + 1}"));
            }
        }

        private void Filesystems(SeriesList s)
        {
            (string Device, string Type, string Mount, double Size)[] filesystems =
            [
                ("/dev/sda1", "ext4", "/", 100e9), ("/dev/sdb1", "xfs", "/var/lib/data", 1e12), ("tmpfs", "tmpfs", "/run", 1.6e9),
                ("tmpfs", "tmpfs", "/dev/shm", 8e9), ("/dev/sda15", "vfat", "/boot/efi", 1.1e8),
            ];
            foreach (var (device, type, mount, size) in filesystems)
            {
                Label[] labels = [new Label("device", device), new Label("fstype", type), new Label("mountpoint", mount)];
                var used = _rng.Uniform(0.05, 0.9);
                var busy = mount is "/" or "/var/lib/data" or "/run";
                var free = Math.Round(size * (1 - used) / 4096) * 4096;
                var files = Math.Round(size / 16384);
                s.Add("node_filesystem_avail_bytes", MetricType.Gauge, "Filesystem space available to non-root users in bytes.",
                    busy ? Walk(free * 0.95, size * 2e-6, 0.001, 4096, 4096) : Constant(Math.Round(free * 0.95 / 4096) * 4096), labels);
                s.Add("node_filesystem_free_bytes", MetricType.Gauge, "Filesystem free space in bytes.",
                    busy ? Walk(free, size * 2e-6, 0.001, 4096, 4096) : Constant(free), labels);
                s.Add("node_filesystem_size_bytes", MetricType.Gauge, "Filesystem size in bytes.", Constant(Math.Round(size / 4096) * 4096), labels);
                s.Add("node_filesystem_files", MetricType.Gauge, "Filesystem total file nodes.", Constant(files), labels);
                s.Add("node_filesystem_files_free", MetricType.Gauge, "Filesystem total free file nodes.",
                    busy ? Sticky(0.3, () => files * (1 - (used / 4)) - _rng.Int(500)) : Constant(Math.Round(files * (1 - (used / 4)))), labels);
                s.Add("node_filesystem_readonly", MetricType.Gauge, "Filesystem read-only status.", Constant(0), labels);
                s.Add("node_filesystem_device_error", MetricType.Gauge, "Whether an error occurred while getting statistics for the given device.", Constant(0), labels);
            }
        }

        private void Kernel(SeriesList s)
        {
            var bootTime = Math.Floor((_timestamps[0] / 1000.0) - _uptimeSeconds);
            s.Add("node_boot_time_seconds", MetricType.Gauge, "Node boot time, in unixtime.", Constant(bootTime), []);
            s.Add("node_time_seconds", MetricType.Gauge, "System time in seconds since epoch (1970).",
                Values(i => (_timestamps[i] / 1000.0) + (_rng.Int(3_000_000) / 1e9)), []);
            s.Add("node_entropy_available_bits", MetricType.Gauge, "Bits of available entropy.", Constant(256), []);
            s.Add("node_entropy_pool_size_bits", MetricType.Gauge, "Bits of entropy pool.", Constant(256), []);
            s.Add("node_filefd_allocated", MetricType.Gauge, "File descriptor statistics: allocated.", Walk(1500 + (_busy * 8000), 20, 0.02, 1, 1), []);
            s.Add("node_filefd_maximum", MetricType.Gauge, "File descriptor statistics: maximum.", Constant(9223372036854775807), []);
            (string Name, double Mean)[] sockets = [("TCP_alloc", 300), ("TCP_inuse", 120), ("TCP_mem", 20), ("TCP_orphan", 0), ("TCP_tw", 60), ("UDP_inuse", 8), ("UDP_mem", 2), ("sockets_used", 700)];
            foreach (var (name, mean) in sockets)
            {
                s.Add($"node_sockstat_{name}", MetricType.Gauge, $"Number of {name} sockets in state inuse.",
                    mean == 0 ? Constant(0) : Walk(mean * (0.5 + _busy), Math.Max(1, mean * 0.03), 0.05, 1, 0), []);
            }

            (string Name, double PerSecond)[] netstat =
            [
                ("Icmp_InErrors", 0), ("Icmp_InMsgs", 0.1), ("Icmp_OutMsgs", 0.1), ("Ip_Forwarding", -1), ("Tcp_ActiveOpens", 5),
                ("Tcp_InErrs", 0), ("Tcp_InSegs", 1200), ("Tcp_OutRsts", 0.5), ("Tcp_OutSegs", 1100), ("Tcp_PassiveOpens", 8),
                ("Tcp_RetransSegs", 0.8), ("TcpExt_ListenDrops", 0), ("TcpExt_ListenOverflows", 0), ("TcpExt_SyncookiesFailed", 0),
                ("TcpExt_SyncookiesRecv", 0), ("TcpExt_SyncookiesSent", 0), ("TcpExt_TCPSynRetrans", 0.05), ("Udp_InDatagrams", 30),
                ("Udp_InErrors", 0), ("Udp_NoPorts", 0.02), ("Udp_OutDatagrams", 30), ("Udp_RcvbufErrors", 0), ("Udp_SndbufErrors", 0),
            ];
            foreach (var (name, perSecond) in netstat)
            {
                s.Add($"node_netstat_{name}", MetricType.Unspecified, $"Statistic {name.Replace("_", "", StringComparison.Ordinal)}.",
                    perSecond switch { -1 => Constant(1), 0 => Constant(0), _ => Count(i => perSecond * _load[i] / _busy) }, []);
            }

            s.Add("node_netstat_Tcp_CurrEstab", MetricType.Unspecified, "Statistic TcpCurrEstab.", Walk(5 + (_busy * 150), 2, 0.05, 1, 0), []);
            (string Name, double Value, bool Noisy)[] timex =
            [
                ("estimated_error_seconds", 0, false), ("frequency_adjustment_ratio", 1.0000123, true), ("loop_time_constant", 7, false),
                ("maxerror_seconds", 0.5, false), ("offset_seconds", 0.00002, true), ("pps_calibration_total", 0, false),
                ("pps_error_total", 0, false), ("pps_frequency_hertz", 0, false), ("pps_jitter_seconds", 0, false),
                ("pps_jitter_total", 0, false), ("pps_shift_seconds", 0, false), ("pps_stability_exceeded_total", 0, false),
                ("pps_stability_hertz", 0, false), ("status", 8193, false), ("sync_status", 1, false), ("tai_offset_seconds", 0, false),
                ("tick_seconds", 0.01, false),
            ];
            foreach (var (name, value, noisy) in timex)
            {
                s.Add($"node_timex_{name}", MetricType.Gauge, $"Timex {name}.", noisy ? Timex(name, value) : Constant(value), []);
            }

            s.Add("node_uname_info", MetricType.Gauge, "Labeled system information as provided by the uname system call.", Constant(1),
                new Label("domainname", "(none)"), new Label("machine", "x86_64"), new Label("nodename", $"node-{_index:D4}"),
                new Label("release", "6.1.0-18-amd64"), new Label("sysname", "Linux"), new Label("version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1"));
            s.Add("node_os_info", MetricType.Gauge, "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
                Constant(1), new Label("id", "debian"), new Label("name", "Debian GNU/Linux"), new Label("pretty_name", "Debian GNU/Linux 12 (bookworm)"), new Label("version", "12 (bookworm)"), new Label("version_id", "12"));
        }

        private void Exporter(SeriesList s)
        {
            foreach (var collector in Collectors)
            {
                var c = new Label("collector", collector);
                var median = _rng.Uniform(2e-5, 3e-2);
                s.Add("node_scrape_collector_duration_seconds", MetricType.Gauge, "node_exporter: Duration of a collector scrape.", Duration(median, 0.3), c);
                s.Add("node_scrape_collector_success", MetricType.Gauge, "node_exporter: Whether a collector succeeded.", Constant(collector is "nvme" or "zfs" ? 0 : 1), c);
            }

            s.Add("node_exporter_build_info", MetricType.Gauge, "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.",
                Constant(1), new Label("branch", "HEAD"), new Label("goarch", "amd64"), new Label("goos", "linux"), new Label("goversion", "go1.21.4"),
                new Label("revision", "7333465abf9efba81876303bb57e6fadb946041b"), new Label("tags", "netgo osusergo static_build"), new Label("version", "1.7.0"));
            s.Add("node_textfile_scrape_error", MetricType.Gauge, "1 if there was an error opening or reading a file, 0 otherwise", Constant(0), []);

            // The exporter's own Go runtime: GC runs every minute or so.
            var gcEvery = _rng.Uniform(20, 120) / 15;
            var gcs = new bool[Rounds];
            for (var i = 0; i < Rounds; i++)
            {
                gcs[i] = _rng.Chance(1 / gcEvery);
            }

            foreach (var quantile in new[] { "0", "0.25", "0.5", "0.75", "1" })
            {
                var median = 3e-5 * (1 + double.Parse(quantile, CultureInfo.InvariantCulture) * 2);
                var value = median;
                s.Add("go_gc_duration_seconds", MetricType.Summary, "A summary of the pause duration of garbage collection cycles.",
                    Values(i => value = gcs[i] ? Math.Round(median * Math.Exp(0.3 * _rng.Normal()) * 1e9) / 1e9 : value), new Label("quantile", quantile));
            }

            double gcSum = _rng.Uniform(0, 5), gcCount = Math.Round(_uptimeSeconds / 15 / gcEvery);
            s.Add("go_gc_duration_seconds_sum", MetricType.Summary, "A summary of the pause duration of garbage collection cycles.",
                Values(i => gcSum += gcs[i] ? Math.Round(4e-5 * Math.Exp(0.3 * _rng.Normal()) * 1e9) / 1e9 : 0), []);
            s.Add("go_gc_duration_seconds_count", MetricType.Summary, "A summary of the pause duration of garbage collection cycles.",
                Values(i => gcCount += gcs[i] ? 1 : 0), []);
            s.Add("go_goroutines", MetricType.Gauge, "Number of goroutines that currently exist.", Walk(8, 0.5, 0.3, 1, 1), []);
            s.Add("go_threads", MetricType.Gauge, "Number of OS threads created.", Sticky(0.002, () => 7 + _rng.Int(4)), []);
            s.Add("go_info", MetricType.Gauge, "Information about the Go environment.", Constant(1), new Label("version", "go1.21.4"));
            (string Name, double Mean, bool Counter)[] memstats =
            [
                ("alloc_bytes", 3.5e6, false), ("alloc_bytes_total", 2e5, true), ("buck_hash_sys_bytes", 1.46e6, false),
                ("frees_total", 1800, true), ("gc_sys_bytes", 4.5e6, false), ("heap_alloc_bytes", 3.5e6, false),
                ("heap_idle_bytes", 6e6, false), ("heap_inuse_bytes", 5.5e6, false), ("heap_objects", 22000, false),
                ("heap_released_bytes", 5e6, false), ("heap_sys_bytes", 1.16e7, false), ("last_gc_time_seconds", 0, false),
                ("lookups_total", 0, true), ("mallocs_total", 1900, true), ("mcache_inuse_bytes", 4800, false),
                ("mcache_sys_bytes", 15600, false), ("mspan_inuse_bytes", 98000, false), ("mspan_sys_bytes", 130000, false),
                ("next_gc_bytes", 6.5e6, false), ("other_sys_bytes", 1e6, false), ("stack_inuse_bytes", 7e5, false),
                ("stack_sys_bytes", 7e5, false), ("sys_bytes", 2.2e7, false),
            ];
            foreach (var (name, mean, counter) in memstats)
            {
                var help = $"Number of {name.Replace('_', ' ')}.";
                var series = name switch
                {
                    "last_gc_time_seconds" => LastGc(gcs),
                    "lookups_total" => Constant(0),
                    _ when counter => Count(_ => mean),
                    "alloc_bytes" or "heap_alloc_bytes" or "heap_objects" or "heap_inuse_bytes" or "heap_idle_bytes" => Walk(mean, mean * 0.05, 0.2, 8, 8),
                    _ => Sticky(0.01, () => Math.Round(mean * (1 + (0.05 * _rng.Normal())) / 8192) * 8192),
                };
                s.Add($"go_memstats_{name}", counter ? MetricType.Counter : MetricType.Gauge, help, series, []);
            }

            var startTime = Math.Round((_timestamps[0] / 1000.0) - _rng.Uniform(60, _uptimeSeconds), 2);
            s.Add("process_cpu_seconds_total", MetricType.Counter, "Total user and system CPU time spent in seconds.", Ticks(i => 0.004 + (0.01 * _load[i])), []);
            s.Add("process_max_fds", MetricType.Gauge, "Maximum number of open file descriptors.", Constant(1048576), []);
            s.Add("process_open_fds", MetricType.Gauge, "Number of open file descriptors.", Walk(9, 0.4, 0.3, 1, 1), []);
            s.Add("process_resident_memory_bytes", MetricType.Gauge, "Resident memory size in bytes.", Walk(2.2e7, 2e5, 0.1, 4096, 4096), []);
            s.Add("process_start_time_seconds", MetricType.Gauge, "Start time of the process since unix epoch in seconds.", Constant(startTime), []);
            s.Add("process_virtual_memory_bytes", MetricType.Gauge, "Virtual memory size in bytes.", Sticky(0.01, () => 7.3e8 + (_rng.Int(64) * 65536)), []);
            s.Add("process_virtual_memory_max_bytes", MetricType.Gauge, "Maximum amount of virtual memory available in bytes.", Constant(1.8446744073709552e19), []);
            s.Add("process_network_receive_bytes_total", MetricType.Counter, "Number of bytes received by the process over the network.", Count(_ => 700), []);
            s.Add("process_network_transmit_bytes_total", MetricType.Counter, "Number of bytes sent by the process over the network.", Count(_ => 9000), []);
            var handled = _rng.Uniform(1000, 100000);
            s.Add("promhttp_metric_handler_requests_in_flight", MetricType.Gauge, "Current number of scrapes being served.", Constant(1), []);
            s.Add("promhttp_metric_handler_requests_total", MetricType.Counter, "Total number of scrapes by HTTP status code.", Values(i => Math.Round(handled) + i), new Label("code", "200"));
            s.Add("promhttp_metric_handler_requests_total", MetricType.Counter, "Total number of scrapes by HTTP status code.", Constant(0), new Label("code", "500"));
            s.Add("promhttp_metric_handler_requests_total", MetricType.Counter, "Total number of scrapes by HTTP status code.", Constant(0), new Label("code", "503"));
        }

        private void Scrape(SeriesList s)
        {
            // What Prometheus adds to every scrape of the target.
            var scraped = s.CountForHost + 5;
            s.Add("up", MetricType.Gauge, "Health of the scrape target.", Constant(1), []);
            s.Add("scrape_duration_seconds", MetricType.Gauge, "Duration of the scrape.", Duration(0.02 + (0.03 * _busy), 0.25), []);
            s.Add("scrape_samples_scraped", MetricType.Gauge, "The number of samples the target exposed.", Constant(scraped), []);
            s.Add("scrape_samples_post_metric_relabeling", MetricType.Gauge, "The number of samples remaining after metric relabeling was applied.", Constant(scraped), []);
            s.Add("scrape_series_added", MetricType.Gauge, "The approximate number of new series in this scrape.", Constant(0), []);
        }

        private double[] Constant(double value)
        {
            var values = new double[Rounds];
            Array.Fill(values, value);
            return values;
        }

        private double[] Values(Func<int, double> valueAt)
        {
            var values = new double[Rounds];
            for (var i = 0; i < Rounds; i++)
            {
                values[i] = valueAt(i);
            }

            return values;
        }

        /// <summary>An event counter: Poisson increments at <paramref name="perSecond"/>, in units of <paramref name="quantum"/>.</summary>
        private double[] Count(Func<int, double> perSecond, double quantum = 1)
        {
            var total = Math.Round(perSecond(0) * _uptimeSeconds * _rng.Uniform(0.5, 1.5));
            return Values(i => (total += _rng.Poisson(perSecond(i) * ScrapeIntervalMs / 1000)) * quantum);
        }

        /// <summary>Seconds of one CPU counted in USER_HZ ticks (1/100 s), as /proc/stat reports them: never more than the interval.</summary>
        private double[] Ticks(Func<int, double> busyFraction) => Fixed(busyFraction, 100, capAtInterval: true);

        private double[] Millis(Func<int, double> busyFraction) => Fixed(busyFraction, 1000, capAtInterval: false);

        private double[] Micros(Func<int, double> busyFraction) => Fixed(busyFraction, 1_000_000, capAtInterval: false);

        private double[] Fixed(Func<int, double> busyFraction, double unitsPerSecond, bool capAtInterval)
        {
            long units = (long)(busyFraction(0) * _uptimeSeconds * unitsPerSecond);
            var cap = capAtInterval ? (long)(ScrapeIntervalMs / 1000 * unitsPerSecond) : long.MaxValue;
            return Values(i =>
            {
                var mean = busyFraction(i) * ScrapeIntervalMs / 1000 * unitsPerSecond;
                units += Math.Clamp((long)Math.Round(mean * (1 + (0.15 * _rng.Normal()))), 0, cap);
                return units / unitsPerSecond;
            });
        }

        /// <summary>A gauge that moves by a normal step each scrape and reverts to its mean, in multiples of a quantum.</summary>
        private double[] Walk(double mean, double step, double reversion, double quantum, double floor)
        {
            var x = mean;
            return Values(_ =>
            {
                x += (reversion * (mean - x)) + (step * _rng.Normal());
                return Math.Max(floor, Math.Round(x / quantum) * quantum);
            });
        }

        /// <summary>A value that changes with the given probability per scrape and otherwise stays.</summary>
        private double[] Sticky(double changeProbability, Func<double> next)
        {
            var value = Math.Round(next());
            return Values(_ => value = _rng.Chance(changeProbability) ? Math.Round(next()) : value);
        }

        /// <summary>
        /// A noisy timex value as node_exporter reports it (collector/timex.go): the offset is
        /// adjtimex's integer offset over 1e9 (status 8193 has STA_NANO); the ratio is
        /// 1 + freq / 65536e6 with freq an integer in 2^-16 ppm, which the time daemon sets at
        /// each clock update (every 64 s at its most frequent poll, here every fourth scrape).
        /// One normal draw a scrape either way, so every other series stays as it was.
        /// </summary>
        private double[] Timex(string name, double value)
        {
            if (name == "offset_seconds")
            {
                return Values(_ => Math.Round(value * 1e9 * (1 + (1e-3 * _rng.Normal()))) / 1e9);
            }

            var freq = Math.Round((value - 1) * 65536e6);
            var adjusted = freq;
            return Values(i =>
            {
                var noise = _rng.Normal();
                adjusted = i % 4 == 0 ? Math.Round(freq * (1 + (1e-3 * noise))) : adjusted;
                return 1 + (adjusted / 65536e6);
            });
        }

        /// <summary>A duration measured in nanoseconds and reported in seconds, as Go's time.Duration.Seconds() does.</summary>
        private double[] Duration(double medianSeconds, double sigma) =>
            Values(_ =>
            {
                var nanos = (long)Math.Round(medianSeconds * Math.Exp(sigma * _rng.Normal()) * 1e9);
                return (nanos / 1_000_000_000) + (nanos % 1_000_000_000 / 1e9);
            });

        /// <summary>The kernel's exponentially damped load average, printed with two decimals.</summary>
        private double[] LoadAverage(double windowSeconds)
        {
            var decay = Math.Exp(-ScrapeIntervalMs / 1000.0 / windowSeconds);
            var load = _load[0] * _cpus * 0.3;
            return Values(i =>
            {
                load = (load * decay) + (_rng.Poisson(_load[i] * _cpus * 0.3) * (1 - decay));
                return Math.Round(load, 2);
            });
        }

        private double[] LastGc(bool[] gcs)
        {
            var last = Math.Round(_timestamps[0] / 1000.0 - 30, 3);
            return Values(i => last = gcs[i] ? (_timestamps[i] - _rng.Int(15000)) / 1000.0 + (_rng.Int(1_000_000) / 1e9) : last);
        }

        /// <summary>Collects the host's series with its target labels.</summary>
        private sealed class SeriesList(Host host, List<StoredSeries> output)
        {
            private readonly int _first = output.Count;

            public int CountForHost => output.Count - _first;

            public void Add(string name, MetricType type, string help, double[] values, params Label[] labels)
            {
                var all = new List<Label>(labels.Length + host._target.Length + 1) { new(Label.MetricName, name) };
                all.AddRange(host._target);
                all.AddRange(labels);
                var series = new StoredSeries(all) { Metadata = new SeriesMetadata(type, help, "") };
                series.Samples.Capacity = values.Length;
                for (var i = 0; i < values.Length; i++)
                {
                    series.Samples.Add(new Sample(host._timestamps[i], values[i]));
                }

                output.Add(series);
            }
        }
    }
}
