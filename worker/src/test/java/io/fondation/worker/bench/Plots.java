package io.fondation.worker.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Line charts drawn with Java2D into PNG files: no plotting library, no service. */
final class Plots {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd)
    };

    private Plots() {}

    /** A named line of points. */
    record Series(String name, List<double[]> points) {}

    /**
     * The cumulative distribution of each sample: x the value, y the share of values at most x.
     *
     * @param logX whether the x axis is logarithmic (for samples that span decades)
     */
    static void cdf(Path file, String title, String xLabel, boolean logX, List<String> names, List<Stats> samples) {
        List<Series> series = new java.util.ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            List<Double> values = samples.get(i).sorted();
            List<double[]> points = new java.util.ArrayList<>();
            for (int k = 0; k < values.size(); k++) {
                points.add(new double[] {values.get(k), (k + 1) * 100.0 / values.size()});
            }
            series.add(new Series(names.get(i), points));
        }
        lines(file, title, xLabel, "% of jobs at most x", logX, false, series, true);
    }

    /** Lines through the points of each series (markers on every point). */
    static void lines(
            Path file,
            String title,
            String xLabel,
            String yLabel,
            boolean logX,
            boolean logY,
            List<Series> series,
            boolean steps) {
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        Axis x = new Axis(logX, minX, maxX, LEFT, WIDTH - RIGHT);
        Axis y = new Axis(logY, steps ? 0 : minY, steps ? 100 : maxY, HEIGHT - BOTTOM, TOP);
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        drawGrid(g, x, y);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(xLabel, (LEFT + WIDTH - RIGHT) / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, HEIGHT - 20);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(
                yLabel, -(TOP + HEIGHT - BOTTOM) / 2 - g.getFontMetrics().stringWidth(yLabel) / 2, 20);
        rotated.dispose();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            Path2D.Double line = new Path2D.Double();
            double lastY = y.pixel(0);
            for (int k = 0; k < s.points().size(); k++) {
                double[] p = s.points().get(k);
                double px = x.pixel(p[0]);
                double py = y.pixel(p[1]);
                if (k == 0) {
                    line.moveTo(px, steps ? y.pixel(0) : py);
                }
                if (steps) {
                    line.lineTo(px, lastY);
                }
                line.lineTo(px, py);
                lastY = py;
                if (!steps) {
                    g.fillOval((int) px - 4, (int) py - 4, 8, 8);
                }
            }
            g.draw(line);
            int legendY = TOP + 10 + 20 * i;
            g.fillRect(LEFT + 15, legendY - 10, 22, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), LEFT + 45, legendY - 3);
        }
        g.dispose();
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void drawGrid(Graphics2D g, Axis x, Axis y) {
        g.setStroke(new BasicStroke(1f));
        for (double tick : x.ticks()) {
            int px = (int) x.pixel(tick);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
            g.setColor(Color.DARK_GRAY);
            String label = label(tick);
            g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
        }
        for (double tick : y.ticks()) {
            int py = (int) y.pixel(tick);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT, py, WIDTH - RIGHT, py);
            g.setColor(Color.DARK_GRAY);
            String label = label(tick);
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 5);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    }

    private static String label(double value) {
        if (value >= 1000 && value % 1000 == 0) {
            return String.format(Locale.ROOT, "%.0fk", value / 1000);
        }
        return value == Math.rint(value)
                ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.2g", value);
    }

    /** One axis: a linear or logarithmic map from values to pixels, with round ticks. */
    private record Axis(boolean log, double min, double max, double from, double to) {
        Axis {
            if (log) {
                min = Math.pow(10, Math.floor(Math.log10(Math.max(min, 1e-3))));
                max = Math.pow(10, Math.ceil(Math.log10(Math.max(max, min * 10))));
            } else {
                double step = niceStep(max - Math.min(min, 0));
                min = Math.min(0, Math.floor(min / step) * step);
                max = Math.max(min + step, Math.ceil(max / step) * step);
            }
        }

        double pixel(double value) {
            double share = log
                    ? (Math.log10(Math.max(value, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
                    : (value - min) / (max - min);
            return from + share * (to - from);
        }

        List<Double> ticks() {
            List<Double> ticks = new java.util.ArrayList<>();
            if (log) {
                for (double t = min; t <= max * 1.0001; t *= 10) {
                    ticks.add(t);
                }
            } else {
                double step = niceStep(max - min);
                for (double t = min; t <= max + step / 1000; t += step) {
                    ticks.add(t);
                }
            }
            return ticks;
        }

        private static double niceStep(double range) {
            double raw = Math.max(range, 1e-9) / 8;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            for (double nice : new double[] {1, 2, 2.5, 5, 10}) {
                if (raw <= nice * magnitude) {
                    return nice * magnitude;
                }
            }
            return 10 * magnitude;
        }
    }
}
