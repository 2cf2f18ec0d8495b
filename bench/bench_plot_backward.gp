# bench/bench_plot_backward.gp: gnuplot script drawing the bench's backward GFLOP/s per layer: backward data above, backward weights below (log scale).
# The bench runs: gnuplot -e "datafile='X_backward.dat'; outfile='X_backward.png'; peak=P; charttitle='...'" bench_plot_backward.gp
# Data columns: index, layer, then GFLOP/s (NaN when not timed) of convgen, baseline, oneDNN for backward data,
# then the same three for backward weights.

if (!exists("datafile")) datafile = "bench_backward.dat"
if (!exists("outfile")) outfile = "bench_backward.png"
if (!exists("charttitle")) charttitle = "convgen bench"

set terminal pngcairo size 1800,1300 noenhanced font "sans,10"
set output outfile
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.9 border rgb "#333333"
set boxwidth 1.0
set logscale y 10
set yrange [0.05:*]
set ylabel "GFLOP/s (2 x MACs / median time), log scale"
set grid ytics mytics lc rgb "#dddddd"
set xtics rotate by -50 scale 0 font ",9"
set key outside top center horizontal
set datafile missing "NaN"
peakline = exists("peak") ? peak : NaN

set multiplot layout 2,1 title charttitle

set title "backward data (dx)"
plot datafile using 3:xtic(2) title "convgen" lc rgb "#1b9e77", \
     ''       using 4 title "baseline (GEMM + ref col2im)" lc rgb "#999999", \
     ''       using 5 title "oneDNN (fastest variant)" lc rgb "#7570b3", \
     peakline with lines dt 2 lw 1.5 lc rgb "#e7298a" title "sgemm peak (1 x 1024^3 GEMM)"

set title "backward weights (dw, db)"
plot datafile using 6:xtic(2) title "convgen" lc rgb "#1b9e77", \
     ''       using 7 title "baseline (ref im2col + GEMM)" lc rgb "#999999", \
     ''       using 8 title "oneDNN (fastest variant)" lc rgb "#7570b3", \
     peakline with lines dt 2 lw 1.5 lc rgb "#e7298a" title "sgemm peak (1 x 1024^3 GEMM)"

unset multiplot
