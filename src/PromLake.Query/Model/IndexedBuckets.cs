namespace PromLake.Query.Model;

/// <summary>
/// One side of a histogram's buckets as (absolute index, count) pairs in ascending index order: the working
/// form for arithmetic, which the span layout makes awkward. Empty buckets are kept unless removed explicitly.
/// </summary>
internal sealed class IndexedBuckets
{
    public IndexedBuckets(int capacity = 0)
    {
        Index = new List<int>(capacity);
        Count = new List<double>(capacity);
    }

    public List<int> Index { get; }

    public List<double> Count { get; }

    public int Length => Index.Count;

    public static IndexedBuckets From(List<BucketSpan> spans, List<double> buckets)
    {
        var result = new IndexedBuckets(buckets.Count);
        var idx = 0;
        var bi = 0;
        foreach (var span in spans)
        {
            idx += span.Offset;
            for (var j = 0; j < span.Length && bi < buckets.Count; j++, bi++, idx++)
            {
                result.Index.Add(idx);
                result.Count.Add(buckets[bi]);
            }
        }

        return result;
    }

    public void Add(int index, double count)
    {
        Index.Add(index);
        Count.Add(count);
    }

    /// <summary>Back to spans: consecutive indices share a span; empty buckets stay where they are.</summary>
    public (List<BucketSpan> Spans, List<double> Buckets) ToSpans()
    {
        var spans = new List<BucketSpan>();
        var values = new List<double>(Length);
        for (var i = 0; i < Length; i++)
        {
            var idx = Index[i];
            if (i > 0 && idx == Index[i - 1] + 1)
            {
                spans[^1] = spans[^1] with { Length = spans[^1].Length + 1 };
            }
            else
            {
                spans.Add(new BucketSpan(i == 0 ? idx : idx - Index[i - 1] - 1, 1));
            }

            values.Add(Count[i]);
        }

        return (spans, values);
    }

    public IndexedBuckets WithoutEmpty()
    {
        var result = new IndexedBuckets(Length);
        for (var i = 0; i < Length; i++)
        {
            if (Count[i] != 0)
            {
                result.Add(Index[i], Count[i]);
            }
        }

        return result;
    }

    /// <summary>
    /// Merges buckets into a schema <paramref name="reduceBy"/> steps coarser: bucket i of the finer schema
    /// falls into bucket ((i - 1) &gt;&gt; reduceBy) + 1, because every coarse boundary is also a fine one.
    /// </summary>
    public IndexedBuckets Reduce(int reduceBy)
    {
        if (reduceBy <= 0)
        {
            return this;
        }

        var result = new IndexedBuckets(Length);
        for (var i = 0; i < Length; i++)
        {
            var target = ((Index[i] - 1) >> reduceBy) + 1;
            if (result.Length > 0 && result.Index[^1] == target)
            {
                result.Count[^1] += Count[i];
            }
            else
            {
                result.Add(target, Count[i]);
            }
        }

        return result;
    }

    /// <summary>
    /// Adds <paramref name="sign"/> × <paramref name="other"/> into a new bucket list, inserting the buckets this
    /// one lacks. <paramref name="skipBelow"/> drops other's leading buckets whose index it accepts (those
    /// already counted in a widened zero bucket).
    /// </summary>
    public IndexedBuckets Merge(IndexedBuckets other, double sign, Func<int, bool>? skipBelow = null)
    {
        var result = new IndexedBuckets(Length + other.Length);
        int i = 0, j = 0;
        var skipping = skipBelow is not null;
        while (i < Length || j < other.Length)
        {
            if (j < other.Length && skipping)
            {
                if (skipBelow!(other.Index[j]))
                {
                    j++;
                    continue;
                }

                skipping = false;
            }

            if (j >= other.Length || (i < Length && Index[i] < other.Index[j]))
            {
                result.Add(Index[i], Count[i]);
                i++;
            }
            else if (i >= Length || other.Index[j] < Index[i])
            {
                result.Add(other.Index[j], sign * other.Count[j]);
                j++;
            }
            else
            {
                result.Add(Index[i], Count[i] + sign * other.Count[j]);
                i++;
                j++;
            }
        }

        return result;
    }

    public bool BitEquals(IndexedBuckets other)
    {
        if (Length != other.Length)
        {
            return false;
        }

        for (var i = 0; i < Length; i++)
        {
            if (Index[i] != other.Index[i] || BitConverter.DoubleToInt64Bits(Count[i]) != BitConverter.DoubleToInt64Bits(other.Count[i]))
            {
                return false;
            }
        }

        return true;
    }
}
