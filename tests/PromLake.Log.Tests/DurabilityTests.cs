namespace PromLake.Log.Tests;

/// <summary>
/// The log's durability rests on FASTER opening segment files with
/// FileOptions.WriteThrough and .NET turning that into O_SYNC on Linux (FASTER
/// itself never calls fsync). This checks the flag on the live file descriptors,
/// so a change in either library cannot silently make publishes non-durable.
/// </summary>
public sealed class DurabilityTests : IDisposable
{
    // Linux's O_SYNC (__O_SYNC | O_DSYNC), octal 04010000 on x64 and arm64.
    private const int OSync = 0x101000;
    private const int AccessModeMask = 0x3;
    private const int WriteOnly = 0x1;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Segment_files_are_written_through_to_stable_storage()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        await using var log = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 1));
        await log.PublishAsync(0, "durable");
        var segment = Path.Combine(log.ShardDirectory(0), "log.0");

        var writeFlags = new List<int>();
        foreach (var descriptor in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(descriptor).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed while we looked
            }

            if (target != segment)
            {
                continue;
            }

            var flags = ReadFlags(Path.Combine("/proc/self/fdinfo", Path.GetFileName(descriptor)));
            if ((flags & AccessModeMask) == WriteOnly)
            {
                writeFlags.Add(flags);
            }
        }

        Assert.NotEmpty(writeFlags);
        Assert.All(writeFlags, flags => Assert.Equal(OSync, flags & OSync));
    }

    private static int ReadFlags(string fdinfo)
    {
        foreach (var line in File.ReadLines(fdinfo))
        {
            if (line.StartsWith("flags:", StringComparison.Ordinal))
            {
                return Convert.ToInt32(line["flags:".Length..].Trim(), 8);
            }
        }

        throw new InvalidDataException($"No flags in {fdinfo}");
    }
}
