using PromLake.Query.Model;

namespace PromLake.Query.Store;

/// <summary>
/// A decoded block's inverted index, as Prometheus's postings: label name → value → the
/// positions of the series that carry that pair. An equality matcher then costs one lookup
/// instead of a look at every series of the block.
/// </summary>
public sealed class BlockPostings
{
    private readonly Dictionary<string, Dictionary<string, int[]>> _byName;

    private BlockPostings(Dictionary<string, Dictionary<string, int[]>> byName) => _byName = byName;

    public static BlockPostings Build(BlockSeries[] series)
    {
        var building = new Dictionary<string, Dictionary<string, List<int>>>(StringComparer.Ordinal);
        for (var i = 0; i < series.Length; i++)
        {
            foreach (var label in series[i].Labels.AsSpan())
            {
                if (!building.TryGetValue(label.Name, out var values))
                {
                    building[label.Name] = values = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                }

                if (!values.TryGetValue(label.Value, out var positions))
                {
                    values[label.Value] = positions = [];
                }

                positions.Add(i);
            }
        }

        var frozen = new Dictionary<string, Dictionary<string, int[]>>(building.Count, StringComparer.Ordinal);
        foreach (var (name, values) in building)
        {
            var byValue = new Dictionary<string, int[]>(values.Count, StringComparer.Ordinal);
            foreach (var (value, positions) in values)
            {
                byValue[value] = [.. positions];
            }

            frozen[name] = byValue;
        }

        return new BlockPostings(frozen);
    }

    /// <summary>Whether any series of the block has a label of this name.</summary>
    public bool HasLabel(string name) => _byName.ContainsKey(name);

    /// <summary>The names of the block's labels and, for each, its values.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, int[]>> LabelValues => _byName;

    /// <summary>
    /// The shortest postings list among the matchers that require a non-empty value
    /// (<c>name="value"</c>), skipping matchers on <paramref name="ignored"/> names: the
    /// series that can match at all. Null when no such matcher narrows the block (every
    /// series is a candidate); empty when one requires a pair the block does not have.
    /// Candidates must still be checked against every matcher.
    /// </summary>
    public int[]? Candidates(IReadOnlyList<LabelMatcher> matchers, IReadOnlySet<string> ignored)
    {
        int[]? shortest = null;
        foreach (var matcher in matchers)
        {
            if (matcher.Type != MatcherType.Equal || matcher.Value.Length == 0 || ignored.Contains(matcher.Name))
            {
                continue;
            }

            if (!_byName.TryGetValue(matcher.Name, out var values) || !values.TryGetValue(matcher.Value, out var positions))
            {
                return [];
            }

            if (shortest is null || positions.Length < shortest.Length)
            {
                shortest = positions;
            }
        }

        return shortest;
    }
}
