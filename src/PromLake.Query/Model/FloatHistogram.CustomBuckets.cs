namespace PromLake.Query.Model;

public sealed partial class FloatHistogram
{
    /// <summary>Whether two custom-bucket layouts have the same bounds.</summary>
    internal static bool CustomBoundsMatch(List<double> a, List<double> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The bounds two custom-bucket layouts have in common.</summary>
    internal static List<double> IntersectBounds(List<double> a, List<double> b)
    {
        var result = new List<double>();
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            if (a[i] == b[j])
            {
                result.Add(a[i]);
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return result;
    }

    /// <summary>Adds each bucket's count, times <paramref name="sign"/>, into the bucket of <paramref name="bounds"/> that contains it.</summary>
    private static void MapOntoBounds(IndexedBuckets buckets, List<double> ownBounds, List<double> bounds, double[] target, double sign)
    {
        var k = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            var idx = buckets.Index[i];
            var t = target.Length - 1;
            if (idx < ownBounds.Count)
            {
                var upper = ownBounds[idx];
                while (k < bounds.Count && bounds[k] < upper)
                {
                    k++;
                }

                if (k < bounds.Count)
                {
                    t = k;
                }
            }

            target[t] += sign * buckets.Count[i];
        }
    }

    private static IndexedBuckets MapOntoBounds(IndexedBuckets buckets, List<double> ownBounds, List<double> bounds)
    {
        var target = new double[bounds.Count + 1];
        var present = new bool[bounds.Count + 1];
        var k = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            var idx = buckets.Index[i];
            var t = target.Length - 1;
            if (idx < ownBounds.Count)
            {
                while (k < bounds.Count && bounds[k] < ownBounds[idx])
                {
                    k++;
                }

                if (k < bounds.Count)
                {
                    t = k;
                }
            }

            target[t] += buckets.Count[i];
            present[t] = true;
        }

        var result = new IndexedBuckets(target.Length);
        for (var i = 0; i < target.Length; i++)
        {
            if (present[i])
            {
                result.Add(i, target[i]);
            }
        }

        return result;
    }
}
