// Runs in the report page (inlined by html.ts, after Chart.js): draws one timeline per fault
// from the JSON embedded in the page, then checks that each chart really painted its lines
// and records the result on <html data-charts-drawn="N" data-charts-expected="M">, which the
// rendering test reads from headless Chromium.
(() => {
  const root = document.documentElement;
  const COLORS = {
    mysql2: '#1f77b4',
    mariadb: '#ff7f0e',
    knex: '#9467bd',
    sequelize: '#8c564b',
    'serverless-mysql': '#d62790',
    goneaway: '#2ca02c',
  };
  const FALLBACK = ['#17becf', '#bcbd22', '#7f7f7f'];
  const SHADE = 'rgba(220, 38, 38, 0.14)';
  // An instant fault (one KILL, one RST) still gets a visible band.
  const MIN_SHADE_S = 0.15;

  const data = JSON.parse(document.getElementById('bench-data').textContent);
  const colorOf = (contender, index) =>
    COLORS[contender.library] ?? FALLBACK[index % FALLBACK.length];

  function datasetsFor(fault) {
    const bucketS = fault.bucketMs / 1000;
    const perSecond = 1000 / fault.bucketMs;
    const datasets = [];
    data.contenders.forEach((contender, index) => {
      const result = fault.contenders.find((r) => r.contender === contender.id);
      if (!result) return;
      const color = colorOf(contender, index);
      const at = (i) => Math.round((i + 0.5) * bucketS * 1000) / 1000;
      datasets.push({
        label: contender.label,
        data: result.timeline.ok.map((n, i) => ({ x: at(i), y: n * perSecond })),
        borderColor: color,
        backgroundColor: color,
        borderWidth: contender.id === 'goneaway' ? 3 : 1.5,
        borderDash: contender.variant === 'tuned' ? [6, 4] : [],
        pointRadius: 0,
        yAxisID: 'y',
      });
      const errors = result.timeline.errors
        .map((n, i) => ({ x: at(i), y: n * perSecond }))
        .filter((point) => point.y > 0);
      if (errors.length > 0) {
        datasets.push({
          label: `${contender.label} errors/s`,
          data: errors,
          borderColor: color,
          backgroundColor: color,
          showLine: false,
          pointStyle: 'crossRot',
          pointRadius: 5,
          pointBorderWidth: 2,
          yAxisID: 'errors',
          isErrors: true,
        });
      }
    });
    const start = fault.window.startMs / 1000;
    const end = Math.max(fault.window.endMs / 1000, start + MIN_SHADE_S);
    datasets.push({
      label: 'fault window',
      data: [
        { x: start, y: 1 },
        { x: end, y: 1 },
      ],
      yAxisID: 'shade',
      fill: 'origin',
      backgroundColor: SHADE,
      borderWidth: 0,
      pointRadius: 0,
      order: 99,
    });
    return datasets;
  }

  function draw(fault) {
    const canvas = document.getElementById(`chart-${fault.id}`);
    return new Chart(canvas, {
      type: 'line',
      data: { datasets: datasetsFor(fault) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: {
            type: 'linear',
            min: 0,
            max: Math.ceil(fault.runEndMs / 1000),
            title: { display: true, text: 'seconds since the workload started' },
          },
          y: {
            beginAtZero: true,
            title: { display: true, text: 'successful statements/s (lines)' },
          },
          errors: {
            position: 'right',
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            title: { display: true, text: 'errors/s (×)' },
          },
          shade: { display: false, min: 0, max: 1 },
        },
        plugins: {
          legend: {
            position: 'bottom',
            labels: {
              boxWidth: 14,
              filter: (item, chartData) => !chartData.datasets[item.datasetIndex].isErrors,
            },
          },
        },
      },
    });
  }

  function hexToRgb(hex) {
    const n = Number.parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  // Counts pixels of the chart area painted in a contender's color: proof that lines (not
  // only axes and grid) were drawn.
  function paintedLinePixels(chart) {
    const ratio = chart.currentDevicePixelRatio;
    const area = chart.chartArea;
    const x = Math.floor(area.left * ratio);
    const y = Math.floor(area.top * ratio);
    const w = Math.max(1, Math.floor((area.right - area.left) * ratio));
    const h = Math.max(1, Math.floor((area.bottom - area.top) * ratio));
    const pixels = chart.ctx.getImageData(x, y, w, h).data;
    const colors = chart.data.datasets
      .filter((d) => typeof d.borderColor === 'string' && d.borderColor.startsWith('#'))
      .map((d) => hexToRgb(d.borderColor));
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] < 200) continue;
      for (const [r, g, b] of colors) {
        if (
          Math.abs(pixels[i] - r) < 24 &&
          Math.abs(pixels[i + 1] - g) < 24 &&
          Math.abs(pixels[i + 2] - b) < 24
        ) {
          count++;
          break;
        }
      }
    }
    return count;
  }

  let drawn = 0;
  root.dataset.chartsExpected = String(data.faults.length);
  for (const fault of data.faults) {
    const canvas = document.getElementById(`chart-${fault.id}`);
    try {
      const painted = paintedLinePixels(draw(fault));
      canvas.dataset.paintedPixels = String(painted);
      if (painted >= 50) drawn++;
    } catch (error) {
      canvas.dataset.error = String(error);
    }
  }
  root.dataset.chartsDrawn = String(drawn);
})();
