// Only the parts of Apache ECharts the dashboard uses (tree-shaken), in the dashboard's chunk.
import { use, init } from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer])

export { init }
