namespace PromLake.LoadGenerator;

/// <summary>
/// Hashes that are the same in every process and on every machine, so that a seed fully determines
/// the workload (string.GetHashCode is randomised per process and would not be).
/// </summary>
internal static class StableHash
{
    public static ulong Of(string text, ulong seed = 0)
    {
        // FNV-1a over UTF-16 code units, then mixed: cheap, and only used while building the workload.
        var hash = 14695981039346656037UL ^ Mix(seed);
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return Mix(hash);
    }

    /// <summary>SplitMix64's finaliser: turns consecutive inputs into unrelated outputs.</summary>
    public static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>A uniform double in [0, 1) for one (series, round) pair; no state, so any round can be computed on demand.</summary>
    public static double UnitInterval(ulong seriesSeed, long round) =>
        (Mix(seriesSeed ^ ((ulong)round * 0xD1B54A32D192ED03UL)) >> 11) * (1.0 / (1UL << 53));
}
