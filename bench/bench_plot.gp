# bench/bench_plot.gp: gnuplot script drawing the bench's GFLOP/s per layer and implementation as grouped bars (log scale).
# The bench runs: gnuplot -e "datafile='X.dat'; outfile='X.png'; peak=P; charttitle='...'" bench_plot.gp
# Data columns: index, layer, then GFLOP/s of convgen, baseline, oneDNN, XNNPACK (NaN when not timed).

if (!exists("datafile")) datafile = "bench.dat"
if (!exists("outfile")) outfile = "bench.png"
if (!exists("charttitle")) charttitle = "convgen bench"

set terminal pngcairo size 1800,820 noenhanced font "sans,10"
set output outfile
set title charttitle
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
set bmargin 8
set datafile missing "NaN"

plot datafile using 3:xtic(2) title "convgen" lc rgb "#1b9e77", \
     ''       using 4 title "baseline (ref im2col + GEMM)" lc rgb "#999999", \
     ''       using 5 title "oneDNN (fastest variant)" lc rgb "#7570b3", \
     ''       using 6 title "XNNPACK" lc rgb "#d95f02", \
     (exists("peak") ? peak : NaN) with lines dt 2 lw 1.5 lc rgb "#e7298a" title "sgemm peak (1 x 1024^3 GEMM)"
