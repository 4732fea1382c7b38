namespace PromLake.LoadGenerator;

/// <summary>One scraped host running node_exporter, with the hardware that decides which series it exposes.</summary>
internal sealed class SimulatedTarget
{
    private static readonly int[] CpuCounts = [2, 4, 4, 8, 8, 8, 16, 16, 32];

    private static readonly string[][] DiskLayouts =
    [
        ["sda"],
        ["vda"],
        ["nvme0n1"],
        ["sda", "sdb"],
        ["nvme0n1", "nvme1n1"],
        ["sda", "dm-0", "dm-1"],
    ];

    private static readonly string[][] NetworkLayouts =
    [
        ["eth0", "lo"],
        ["ens5", "lo"],
        ["eth0", "docker0", "lo"],
        ["bond0", "eno1", "eno2", "lo"],
    ];

    private static readonly string[] KernelReleases = ["5.15.0-91-generic", "6.1.0-18-amd64", "6.8.0-45-generic", "5.14.0-427.el9.x86_64"];

    private SimulatedTarget(int index, string instance, string nodeName)
    {
        Index = index;
        Instance = instance;
        NodeName = nodeName;
    }

    public int Index { get; }

    /// <summary>The instance label, e.g. "host-0042:9100".</summary>
    public string Instance { get; }

    public string NodeName { get; }
    public string Job => "node";
    public int CpuCount { get; private init; }
    public IReadOnlyList<string> Disks { get; private init; } = [];
    public IReadOnlyList<string> NetworkDevices { get; private init; } = [];
    public IReadOnlyList<MountedFilesystem> Filesystems { get; private init; } = [];
    public double MemoryBytes { get; private init; }
    public string KernelRelease { get; private init; } = "";

    /// <summary>How long the host has been up when the run starts; counters start from what that uptime implies.</summary>
    public double UptimeSeconds { get; private init; }

    public long BootTimeMs { get; private init; }

    /// <summary>When node_exporter started; the start timestamp of its counters in RW 2.0.</summary>
    public long ExporterStartMs { get; private init; }

    public long ScrapePhaseMs { get; private init; }

    /// <summary>How busy the host is, 0.2..1: scales every rate and load so hosts differ as in a real fleet.</summary>
    public double Busyness { get; private init; }

    public ulong Seed { get; private init; }

    public static SimulatedTarget Create(int index, int seed, ScrapeTimeline timeline)
    {
        var nodeName = $"host-{index:D4}";
        var instance = nodeName + ":9100";
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var memoryGiB = new[] { 4, 8, 16, 32, 64, 128, 256 }[random.Next(7)];
        var uptimeSeconds = (3600 * 6) + (random.NextDouble() * 86400 * 60);
        var bootTimeMs = timeline.StartMs - (long)(uptimeSeconds * 1000);
        return new SimulatedTarget(index, instance, nodeName)
        {
            CpuCount = CpuCounts[random.Next(CpuCounts.Length)],
            Disks = DiskLayouts[random.Next(DiskLayouts.Length)],
            NetworkDevices = NetworkLayouts[random.Next(NetworkLayouts.Length)],
            Filesystems = FilesystemsFor(random),
            MemoryBytes = memoryGiB * 1024.0 * 1024 * 1024,
            KernelRelease = KernelReleases[random.Next(KernelReleases.Length)],
            UptimeSeconds = uptimeSeconds,
            BootTimeMs = bootTimeMs - (bootTimeMs % 1000),
            ExporterStartMs = bootTimeMs + 20_000 + random.Next(600_000),
            ScrapePhaseMs = timeline.PhaseOf(instance, seed),
            Busyness = 0.2 + (0.8 * random.NextDouble()),
            Seed = StableHash.Of(instance, (ulong)seed),
        };
    }

    private static MountedFilesystem[] FilesystemsFor(Random random)
    {
        var rootDevice = random.Next(2) == 0 ? "/dev/sda1" : "/dev/nvme0n1p2";
        var rootType = random.Next(3) == 0 ? "xfs" : "ext4";
        var gib = 1024.0 * 1024 * 1024;
        var filesystems = new List<MountedFilesystem>
        {
            new(rootDevice, rootType, "/", (50 + random.Next(450)) * gib),
            new("/dev/sda15", "vfat", "/boot/efi", 0.1 * gib),
            new("tmpfs", "tmpfs", "/run", (0.5 + random.Next(8)) * gib),
            new("tmpfs", "tmpfs", "/run/lock", 0.005 * gib),
        };

        if (random.Next(2) == 0)
        {
            filesystems.Add(new("/dev/sdb1", "xfs", "/var/lib/docker", (100 + random.Next(900)) * gib));
        }

        if (random.Next(3) == 0)
        {
            filesystems.Add(new("/dev/mapper/data", "ext4", "/data", (500 + random.Next(3500)) * gib));
        }

        return [.. filesystems];
    }
}

/// <summary>One line of node_exporter's filesystem collector: the three labels plus the size it reports.</summary>
internal sealed record MountedFilesystem(string Device, string FsType, string MountPoint, double SizeBytes);
