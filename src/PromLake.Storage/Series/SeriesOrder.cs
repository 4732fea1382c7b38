namespace PromLake.Storage.Series;

/// <summary>
/// The order of series in every block file: by metric name, then by the other
/// labels pair by pair (name, then value; ordinal), then by label count. Putting
/// the metric name first is what lets row-group statistics of <c>metric_name</c>
/// prune; it also places series of one family side by side, which compresses
/// best because their values and label sets are alike.
/// </summary>
public sealed class SeriesOrder : IComparer<StoredSeries>
{
    public static SeriesOrder Instance { get; } = new();

    public int Compare(StoredSeries? x, StoredSeries? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var byName = string.CompareOrdinal(x.MetricName, y.MetricName);
        return byName != 0 ? byName : CompareLabels(x.Labels, y.Labels);
    }

    /// <summary>Compares two sorted label sets ignoring <c>__name__</c>.</summary>
    public static int CompareLabels(ReadOnlySpan<Label> x, ReadOnlySpan<Label> y)
    {
        int i = 0, j = 0;
        while (true)
        {
            if (i < x.Length && x[i].Name == Label.MetricName)
            {
                i++;
            }

            if (j < y.Length && y[j].Name == Label.MetricName)
            {
                j++;
            }

            if (i == x.Length || j == y.Length)
            {
                return (x.Length - i).CompareTo(y.Length - j);
            }

            var c = string.CompareOrdinal(x[i].Name, y[j].Name);
            if (c == 0)
            {
                c = string.CompareOrdinal(x[i].Value, y[j].Value);
            }

            if (c != 0)
            {
                return c;
            }

            i++;
            j++;
        }
    }
}
